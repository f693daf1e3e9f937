using System.Text;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

/// <summary>The compact n-gram source must expand to exactly the analyzer's character n-grams.</summary>
public sealed class NGramSourceTests
{
    private const char Boundary = '\u2581';

    private static readonly string s_longLatinWord = string.Concat(Enumerable.Range(0, 400).Select(i => (char)('a' + (i * 7 % 26))));
    private static readonly string s_longArabicWord = string.Concat(Enumerable.Range(0, 400).Select(i => (char)('\u0628' + (i * 5 % 18))));

    public static TheoryData<string> Texts => new()
    {
        "والمعلومات بالصين للشركة ألف في الصين", // articles (وال، بال، لل), stop word, short word
        "أَعْلَنَتِ الوِزَارَةُ عَنْ خُطَّةٍ جَدِيدَةٍ لِلذَّكَاءِ الاصْطِنَاعِيِّ", // full diacritics
        "الـــذكاء الاصطناعي ﻻ ﷲ ﷺ", // tatweel, presentation forms, a ligature that expands into words
        "The European Union's AI Act regulates high-risk systems; it doesn't ban open-source models.",
        "人工智能治理框架 数据安全法",
        "中国的AI政策 and الذكاء الاصطناعي in 2025م, GPT4 و2025",
        "Budget: 2,500,000 dollars, 3.5% growth, ٢٬٥٠٠ riyals, ١٢٫٥ and 1,000",
        s_longLatinWord,
        s_longArabicWord + " " + s_longLatinWord + " end",
        "the of and to in is it في من على إلى عن",
        "",
        "   \t ",
        "first line\nsecond line\r\nthird\n\nفقرة جديدة\n",
        "ＡＩ ｆｕｌｌ－ｗｉｄｔｈ ﬁnance",
        "x y z a 1 2",
        "か゛き゜ ゛ ゜カ", // spacing kana voicing marks: NFKC makes them a space and a combining mark
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Expand_AnalyzedSource_EqualsCharNGrams(string text)
    {
        var analyzed = TextAnalyzer.Default.AnalyzeForIndex(text);

        Assert.Equal(analyzed.CharNGrams, NGramSource.Expand(analyzed.NGramSource));
        Assert.Equal(TextAnalyzer.Default.CharNGrams(text), analyzed.CharNGrams);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Expand_CustomGramSizes_EqualsCharNGrams(string text)
    {
        foreach (var options in new[]
        {
            new TextAnalyzerOptions { NGramMin = 2, NGramMax = 5 },
            new TextAnalyzerOptions { NGramMin = 1, NGramMax = 1 },
            new TextAnalyzerOptions { NGramMin = 4, NGramMax = 6, MinArabicStemLength = 3 },
        })
        {
            var analyzed = new TextAnalyzer(options).AnalyzeForIndex(text);

            Assert.Equal(analyzed.CharNGrams, NGramSource.Expand(analyzed.NGramSource, options));
        }
    }

    [Fact]
    public void NGramSource_TypicalText_ShorterThanItsGrams()
    {
        var analyzed = TextAnalyzer.Default.AnalyzeForIndex("أعلنت وزارة الاقتصاد عن خطة جديدة لتنظيم الذكاء الاصطناعي في القطاع المالي");

        Assert.True(analyzed.NGramSource.Length * 3 < analyzed.CharNGrams.Sum(g => g.Length + 1),
            $"source {analyzed.NGramSource.Length} chars, grams {analyzed.CharNGrams.Sum(g => g.Length + 1)}");
        Assert.DoesNotContain('\n', analyzed.NGramSource);
    }

    [Fact]
    public void Expand_RandomUnicodeTexts_EqualsCharNGrams()
    {
        // Letters of several scripts, marks, digits, number separators, apostrophes, format characters, compatibility
        // characters (presentation forms, ligatures, full-width, kana voicing marks), surrogate pairs and whitespace.
        string[] pieces =
        [
            "ا", "ل", "م", "ع", "ة", "ى", "أ", "إ", "آ", "ؤ", "ئ", "ـ", "َ", "ّ", "ْ", "ٰ", "ٱ", "ڤ", "پ", "ﻻ", "ﷲ", "ﷺ", "ﱞ", "ﹰ", "ﺍ",
            "a", "b", "e", "s", "t", "Z", "é", "ß", "İ", "ﬁ", "Ａ", "ｚ", "α", "Ω", "я",
            "0", "7", "٣", "۵", ",", ".", "٫", "٬", "'", "’", "-",
            "中", "国", "人", "工", "か", "゛", "゜", "ｶ", "ﾞ", "々", "𠀀", "😀",
            "\u200C", "\u200D", "\u00AD", "\u200F", "\u2581", " ", " ", " ", "\u00A0", "\n", "\t", "\r\n",
        ];
        var random = new Random(2024);
        for (var n = 0; n < 400; n++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 40);
            for (var i = 0; i < length; i++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }
            var analyzed = TextAnalyzer.Default.AnalyzeForIndex(text.ToString());

            var expanded = NGramSource.Expand(analyzed.NGramSource);

            Assert.True(analyzed.CharNGrams.SequenceEqual(expanded),
                $"text \"{Escape(text.ToString())}\": grams [{string.Join(", ", analyzed.CharNGrams.Select(Escape))}], expanded [{string.Join(", ", expanded.Select(Escape))}]");
        }
    }

    [Fact]
    public void AnalyzeForIndex_KanaVoicingMarks_NoWhiteSpaceInTermsOrGrams()
    {
        var analyzed = TextAnalyzer.Default.AnalyzeForIndex("か゛き゜");

        Assert.NotEmpty(analyzed.CharNGrams);
        Assert.DoesNotContain(analyzed.CharNGrams, g => g.Contains(' ', StringComparison.Ordinal));
        Assert.DoesNotContain(analyzed.Terms, t => t.Contains(' ', StringComparison.Ordinal));
        Assert.Equal(analyzed.CharNGrams, NGramSource.Expand(analyzed.NGramSource));
    }

    [Fact]
    public void FromGrams_ArbitraryGrams_RoundTrip()
    {
        string[] grams =
        [
            "▁po", "pol", "▁pol", "cy▁", "▁ai▁", "▁", "▁▁", "▁x", "x▁y", "人工", "a", "معل", "▁مع", "ات▁", "2500", "𠀀𠀁", "a\tb", "a\rb", "dup", "dup",
        ];

        var source = NGramSource.FromGrams(grams);

        Assert.Equal(grams, NGramSource.Expand(source));
        Assert.Equal(grams, NGramSource.Expand(source, new TextAnalyzerOptions { NGramMin = 1, NGramMax = 2 })); // literals ignore gram sizes
    }

    [Fact]
    public void FromGrams_RandomGrams_RoundTrip()
    {
        var random = new Random(99);
        const string alphabet = "ab▁مع人😀1,.'\t"; // lone surrogates included: grams are plain strings
        var grams = Enumerable.Range(0, 500)
            .Select(_ => new string(Enumerable.Range(0, random.Next(1, 6)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))
            .ToList();

        Assert.Equal(grams, NGramSource.Expand(NGramSource.FromGrams(grams)));
    }

    [Fact]
    public void FromGrams_GramsWithSpacesNewlinesOrEmpty_AreSkipped()
    {
        string[] grams = ["keep", "two words", "line\nbreak", "", null!, " ", "\n", "▁tail ", "also"];

        var source = NGramSource.FromGrams(grams);

        Assert.Equal(["keep", "also"], NGramSource.Expand(source));
        Assert.DoesNotContain('\n', source);
    }

    [Fact]
    public void FromGrams_Empty_ExpandsToNothing()
    {
        Assert.Equal("", NGramSource.FromGrams([]));
        Assert.Empty(NGramSource.Expand(""));
    }

    [Theory]
    [InlineData("AI Act", "high risk systems")]
    [InlineData("قانون حماية البيانات", "تلتزم الشركات بحماية البيانات الشخصية")]
    [InlineData("人工智能", "治理框架")]
    [InlineData("Policy 2025", "الذكاء الاصطناعي and 人工智能")]
    [InlineData("", "body only")]
    [InlineData("title only", "")]
    [InlineData("the of", "body")] // a title of stop words has an empty source
    [InlineData("", "")]
    public void Concat_TitleAndBody_KeepsStreamsApart(string title, string body)
    {
        var analyzer = TextAnalyzer.Default;
        var titleTerms = analyzer.AnalyzeForIndex(title);
        var bodyTerms = analyzer.AnalyzeForIndex(body);

        var expanded = NGramSource.Expand(NGramSource.Concat(titleTerms.NGramSource, bodyTerms.NGramSource));

        Assert.Equal(titleTerms.CharNGrams.Concat(bodyTerms.CharNGrams), expanded);
    }

    [Fact]
    public void Concat_TitleAndBody_NoGramSpansTheSeam()
    {
        var analyzer = TextAnalyzer.Default;
        var title = analyzer.AnalyzeForIndex("privacy");
        var body = analyzer.AnalyzeForIndex("shield");

        var joined = NGramSource.Expand(NGramSource.Concat(title.NGramSource, body.NGramSource));
        var oneStream = analyzer.CharNGrams("privacy shield");

        // As one text the grams cross the word boundary ("y▁sh"); as title and body they must not.
        Assert.Contains("y▁sh", oneStream);
        Assert.DoesNotContain(joined, g => g.Contains("y▁s", StringComparison.Ordinal));
        Assert.Equal(title.CharNGrams.Count + body.CharNGrams.Count, joined.Count);
        Assert.True(oneStream.Count > joined.Count);
    }

    [Fact]
    public void Concat_ThreeSources_EachKeepsItsStream()
    {
        var analyzer = TextAnalyzer.Default;
        var parts = new[] { "alpha", "بيانات", "beta gamma" }.Select(analyzer.AnalyzeForIndex).ToList();

        var source = NGramSource.Concat(NGramSource.Concat(parts[0].NGramSource, parts[1].NGramSource), parts[2].NGramSource);

        Assert.Equal(parts.SelectMany(p => p.CharNGrams), NGramSource.Expand(source));
    }

    [Fact]
    public void Concat_LiteralGramsAndAnalyzedSource_Expand()
    {
        var body = TextAnalyzer.Default.AnalyzeForIndex("data protection");
        var literal = NGramSource.FromGrams(["▁xy", "xyz"]);

        Assert.Equal(new[] { "▁xy", "xyz" }.Concat(body.CharNGrams), NGramSource.Expand(NGramSource.Concat(literal, body.NGramSource)));
    }

    private static string Escape(string s) =>
        string.Concat(s.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
