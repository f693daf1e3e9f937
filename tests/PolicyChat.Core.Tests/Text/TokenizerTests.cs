using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class TokenizerTests
{
    private readonly TextAnalyzer _analyzer = TextAnalyzer.Default;

    [Fact]
    public void Tokenize_MixedArabicEnglishAndNumbers_TokensWithOffsetsAndStopFlags()
    {
        const string text = "أعلنت شركة DeepSeek عن 200 مشروع";

        var tokens = _analyzer.Tokenize(text);

        Assert.Equal(
            [
                new AnalyzedToken("اعلنت", 0, 5, false),
                new AnalyzedToken("شرك", 6, 4, false),
                new AnalyzedToken("deepseek", 11, 8, false),
                new AnalyzedToken("عن", 20, 2, true),
                new AnalyzedToken("200", 23, 3, false),
                new AnalyzedToken("مشروع", 27, 5, false),
            ],
            tokens);
        Assert.Equal(["اعلنت", "شرك", "deepseek", "200", "مشروع"], _analyzer.Terms(text));
    }

    [Theory]
    [InlineData("https://www.example.com/ai-policy", new[] { "http", "www", "exampl", "com", "ai", "polici" })]
    [InlineData("info@gov.ae", new[] { "info", "gov", "ae" })]
    [InlineData("state-of-the-art", new[] { "state", "art" })] // of, the: stop words
    public void Terms_UrlsAndEmails_SplitIntoWordParts(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.Terms(text));

    [Theory]
    [InlineData("2,500", "2500", 5)]
    [InlineData("3.5", "3.5", 3)]
    [InlineData("1,000,000", "1000000", 9)]
    [InlineData("٢٠٢٥", "2025", 4)]
    [InlineData("\u0662\u066C\u0665\u0660\u0660", "2500", 5)] // ٢٬٥٠٠
    [InlineData("\u0663\u066B\u0665", "3.5", 3)] // ٣٫٥
    [InlineData("۲۰۲۵", "2025", 4)]
    public void Tokenize_Number_OneTokenWithoutThousandsSeparators(string text, string term, int length) =>
        Assert.Equal(new AnalyzedToken(term, 0, length, false), Assert.Single(_analyzer.Tokenize(text)));

    [Fact]
    public void Tokenize_NumberFollowedByPunctuation_PunctuationExcluded()
    {
        var tokens = _analyzer.Tokenize("in 2025. Then 3.5%, or 2,");

        Assert.Equal(
            [new AnalyzedToken("2025", 3, 4, false), new AnalyzedToken("3.5", 14, 3, false), new AnalyzedToken("2", 23, 1, false)],
            tokens.Where(t => !t.IsStopWord));
    }

    [Theory]
    [InlineData("و2025", new[] { "2025" })] // و is a stop word once split off
    [InlineData("٢٠٢٥م", new[] { "2025", "م" })]
    [InlineData("GPT4 H100", new[] { "gpt4", "h100" })] // Latin letters and digits stay together
    [InlineData("DeepSeekالصينية", new[] { "deepseek", "صين" })] // a script change splits
    public void Terms_ScriptAndDigitBoundaries_Split(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.Terms(text));

    [Fact]
    public void Tokenize_ApostropheInsideWord_OneToken()
    {
        var token = Assert.Single(_analyzer.Tokenize("don't"));
        Assert.Equal(new AnalyzedToken("dont", 0, 5, false), token);
    }

    [Theory]
    [InlineData("人工智能", new[] { "人工", "工智", "智能" })]
    [InlineData("中", new[] { "中" })]
    [InlineData("人工智能 政策", new[] { "人工", "工智", "智能", "政策" })]
    [InlineData("AI治理", new[] { "ai", "治理" })]
    [InlineData("ひらがなカタカナ", new[] { "ひら", "らが", "がな", "なカ", "カタ", "タカ", "カナ" })]
    [InlineData("数据，安全", new[] { "数据", "安全" })] // full-width comma separates runs
    public void Terms_Cjk_OverlappingBigrams(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.Terms(text));

    [Fact]
    public void Tokenize_CjkBigrams_OffsetsPointIntoOriginal()
    {
        var tokens = _analyzer.Tokenize("AI 治理规则");

        Assert.Equal(
            [
                new AnalyzedToken("ai", 0, 2, false),
                new AnalyzedToken("治理", 3, 2, false),
                new AnalyzedToken("理规", 4, 2, false),
                new AnalyzedToken("规则", 5, 2, false),
            ],
            tokens);
    }

    [Fact]
    public void Tokenize_SupplementaryIdeograph_CountsAsOneCharacter()
    {
        string text = "\U00020000\u4E00";

        var token = Assert.Single(_analyzer.Tokenize(text));

        Assert.Equal(new AnalyzedToken(text, 0, 3, false), token);
    }

    [Fact]
    public void Tokenize_PresentationFormLigature_SpanCoversOriginalCharacter()
    {
        const string text = "x \uFEFB \uFE8D\uFEDF\uFEB4\uFEFC\uFEE1";

        var tokens = _analyzer.Tokenize(text);

        Assert.Equal(
            [
                new AnalyzedToken("x", 0, 1, false),
                new AnalyzedToken("لا", 2, 1, true),
                new AnalyzedToken("سلام", 4, 5, false),
            ],
            tokens);
    }

    [Fact]
    public void Tokenize_LigatureExpandingToWords_EveryPieceKeepsTheSpan()
    {
        var tokens = _analyzer.Tokenize("محمد \uFDFA");

        Assert.Equal(5, tokens.Count);
        Assert.All(tokens.Skip(1), t => Assert.Equal((5, 1), (t.Start, t.Length)));
        // صلى الله عليه وسلم: صلي → صل, الله → له, عليه (a stop word) → عل, وسلم → سلم
        Assert.Equal(["صل", "له", "عل", "سلم"], tokens.Skip(1).Select(t => t.Term));
        Assert.Equal([false, false, true, false], tokens.Skip(1).Select(t => t.IsStopWord));
    }

    [Theory]
    [InlineData("أَعلنتْ وزارةُ الاقتصادِ، يوم ٢٠٢٥/٣/١٥، عن خطة بقيمة ٢٬٥٠٠ مليون درهم لـ«الذكاء الاصطناعي».")]
    [InlineData("The EU AI Act (Regulation 2024/1689) applies from 2 August 2026; see https://eur-lex.europa.eu.")]
    [InlineData("ＡＩ政策 ﻻ ﺍﻟﺴﻼﻡ O’Brien's don't 人工智能治理 \u0627\u0644\u0639\u0640\u0640\u0631\u0628\u064A\u0629 ج\u200Cج")]
    public void Tokenize_EveryToken_OriginalSpanNormalizesToPreStemForm(string text)
    {
        var tokens = _analyzer.TokenizeWithNormalized(text);

        Assert.NotEmpty(tokens);
        foreach (var (token, normalized) in tokens)
        {
            Assert.Equal(normalized, _analyzer.Normalize(text.Substring(token.Start, token.Length)));
        }
    }

    [Theory]
    [InlineData("What is the policy?", new[] { "polici" })]
    [InlineData("Who are the regulators and how do they work", new[] { "regul", "work" })]
    [InlineData("ما هي سياسة الصين في الذكاء الاصطناعي؟", new[] { "سياس", "صين", "ذكاء", "اصطناع" })]
    [InlineData("إلى الى أن إن ان التى هذه", new string[0])] // normalized forms of one stop word match
    [InlineData("متى وأين وكيف يتم ذلك", new[] { "اين", "كيف" })] // و-prefixed forms are not stop words; their stems remain
    public void Terms_StopWords_Excluded(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.Terms(text));

    [Fact]
    public void Tokenize_StopWords_FlaggedNotRemoved()
    {
        var tokens = _analyzer.Tokenize("the policy في الصين");

        Assert.Equal([true, false, true, false], tokens.Select(t => t.IsStopWord));
        Assert.Equal(["the", "polici", "في", "صين"], tokens.Select(t => t.Term));
    }

    [Fact]
    public void Terms_StopWordCheck_UsesUnstemmedForm()
    {
        // "its" is a stop word; "it" is one too, but "items" stems to "item", which is not: the check is on the word.
        Assert.Empty(_analyzer.Terms("its"));
        Assert.Equal(["item"], _analyzer.Terms("items"));
        // "بها" is a stop word; "كتبها" stems through ها but is not one.
        Assert.Equal(["كتب"], _analyzer.Terms("كتبها بها"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("... !!! ---")]
    [InlineData("\u064E\u0640")] // only a diacritic and a tatweel
    [InlineData("\u0301 \u20DD")] // only combining marks
    public void Tokenize_NoWords_Empty(string text) =>
        Assert.Empty(_analyzer.Tokenize(text));

    [Fact]
    public void Terms_SameAsNonStopTokens()
    {
        const string text = "أعلنت الحكومة في 2025 عن سياسة جديدة for AI governance 人工智能";

        var expected = _analyzer.Tokenize(text).Where(t => !t.IsStopWord).Select(t => t.Term);

        Assert.Equal(expected, _analyzer.Terms(text));
    }

    [Fact]
    public void Analyzer_UsedFromManyThreads_SameResults()
    {
        string[] texts = ["أعلنت الحكومة عن سياسة جديدة للذكاء الاصطناعي", "The ministry regulates generative AI services", "人工智能治理规则 2025"];
        var expected = texts.Select(t => string.Join('|', _analyzer.Terms(t))).ToArray();

        var mismatches = 0;
        Parallel.For(0, 2000, i =>
        {
            int k = i % texts.Length;
            if (string.Join('|', _analyzer.Terms(texts[k])) != expected[k])
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextAnalyzer(new TextAnalyzerOptions { NGramMin = 4, NGramMax = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextAnalyzer(new TextAnalyzerOptions { MinArabicStemLength = 0 }));
    }
}
