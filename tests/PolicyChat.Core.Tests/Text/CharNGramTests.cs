using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class CharNGramTests
{
    private readonly TextAnalyzer _analyzer = TextAnalyzer.Default;

    // N-grams run over the stream "▁w1▁w2▁" of normalized non-stop words ('▁' marks word boundaries), in order of
    // their end position, shorter first.
    [Theory]
    [InlineData("policy", new[] { "▁po", "pol", "▁pol", "oli", "poli", "lic", "olic", "icy", "licy", "cy▁", "icy▁" })] // unstemmed
    [InlineData("The Policy", new[] { "▁po", "pol", "▁pol", "oli", "poli", "lic", "olic", "icy", "licy", "cy▁", "icy▁" })] // stop word dropped, lower-cased
    [InlineData("ai", new[] { "▁ai", "ai▁", "▁ai▁" })] // short words are padded into grams
    [InlineData("2,500", new[] { "▁25", "250", "▁250", "500", "2500", "00▁", "500▁" })] // numbers as their term
    [InlineData("open source", new[] { "▁op", "ope", "▁ope", "pen", "open", "en▁", "pen▁", "n▁s", "en▁s", "▁so", "n▁so", "sou", "▁sou", "our", "sour", "urc", "ourc", "rce", "urce", "ce▁", "rce▁" })] // grams cross word boundaries
    [InlineData("人工智能", new[] { "人工", "工智", "智能" })] // CJK: the bigrams
    [InlineData("", new string[0])]
    public void CharNGrams_LatinNumbersCjk_InOrder(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.CharNGrams(text));

    [Theory]
    [InlineData("والمعلومات", new[] { "▁مع", "معل", "▁معل", "علو", "معلو", "لوم", "علوم", "وما", "لوما", "مات", "ومات", "ات▁", "مات▁" })] // وال stripped
    [InlineData("المعلومات", new[] { "▁مع", "معل", "▁معل", "علو", "معلو", "لوم", "علوم", "وما", "لوما", "مات", "ومات", "ات▁", "مات▁" })]
    [InlineData("بالصين", new[] { "▁صي", "صين", "▁صين", "ين▁", "صين▁" })]
    [InlineData("للشركة", new[] { "▁شر", "شرك", "▁شرك", "ركه", "شركه", "كه▁", "ركه▁" })] // لل stripped, ة normalized, suffix kept
    [InlineData("ألف", new[] { "▁ال", "الف", "▁الف", "لف▁", "الف▁" })] // too short to lose ال
    [InlineData("في الصين", new[] { "▁صي", "صين", "▁صين", "ين▁", "صين▁" })] // في is a stop word
    public void CharNGrams_Arabic_ArticleStrippedBeforeNGrams(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.CharNGrams(text));

    [Fact]
    public void CharNGrams_RepeatedWord_DuplicatesKept()
    {
        var grams = _analyzer.CharNGrams("AI ai");

        Assert.Equal(2, grams.Count(g => g == "▁ai▁"));
        Assert.Contains("i▁ai", grams); // the gram across the two words
    }

    [Fact]
    public void CharNGrams_CustomSizes_Respected()
    {
        var analyzer = new TextAnalyzer(new TextAnalyzerOptions { NGramMin = 2, NGramMax = 2 });

        Assert.Equal(["▁a", "ab", "bc", "cd", "d▁"], analyzer.CharNGrams("abcd"));
    }

    [Fact]
    public void CharNGrams_VeryLongWord_DoesNotThrow()
    {
        var word = new string('x', 5000);

        Assert.NotEmpty(_analyzer.CharNGrams(word + " " + word));
    }

    [Fact]
    public void AnalyzeForIndex_SameAsTermsAndCharNGrams()
    {
        const string text = "أعلنت وزارة الاقتصاد عن خطة بقيمة 2,500 مليون for AI governance 人工智能治理";

        var both = _analyzer.AnalyzeForIndex(text);

        Assert.Equal(_analyzer.Terms(text), both.Terms);
        Assert.Equal(_analyzer.CharNGrams(text), both.CharNGrams);
    }
}
