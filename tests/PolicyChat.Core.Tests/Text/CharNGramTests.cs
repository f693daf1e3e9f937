using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Text;

public sealed class CharNGramTests
{
    private readonly TextAnalyzer _analyzer = TextAnalyzer.Default;

    [Theory]
    [InlineData("policy", new[] { "pol", "poli", "oli", "olic", "lic", "licy", "icy" })] // unstemmed
    [InlineData("The Policy", new[] { "pol", "poli", "oli", "olic", "lic", "licy", "icy" })] // stop word dropped, lower-cased
    [InlineData("ai", new[] { "ai" })] // shorter than NGramMin: itself once
    [InlineData("act", new[] { "act" })]
    [InlineData("2,500", new[] { "2500" })] // numbers whole, as their term
    [InlineData("人工智能", new[] { "人工", "工智", "智能" })] // CJK: the bigrams
    [InlineData("", new string[0])]
    public void CharNGrams_LatinNumbersCjk_InOrder(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.CharNGrams(text));

    [Theory]
    [InlineData("والمعلومات", new[] { "معل", "معلو", "علو", "علوم", "لوم", "لوما", "وما", "ومات", "مات" })] // وال stripped
    [InlineData("المعلومات", new[] { "معل", "معلو", "علو", "علوم", "لوم", "لوما", "وما", "ومات", "مات" })]
    [InlineData("بالصين", new[] { "صين" })]
    [InlineData("للشركة", new[] { "شرك", "شركه", "ركه" })] // لل stripped, ة normalized, suffix kept
    [InlineData("ألف", new[] { "الف" })] // too short to lose ال
    [InlineData("في الصين", new[] { "صين" })] // في is a stop word
    public void CharNGrams_Arabic_ArticleStrippedBeforeNGrams(string text, string[] expected) =>
        Assert.Equal(expected, _analyzer.CharNGrams(text));

    [Fact]
    public void CharNGrams_RepeatedWord_DuplicatesKept()
    {
        Assert.Equal(["ai", "ai"], _analyzer.CharNGrams("AI ai"));
    }

    [Fact]
    public void CharNGrams_CustomSizes_Respected()
    {
        var analyzer = new TextAnalyzer(new TextAnalyzerOptions { NGramMin = 2, NGramMax = 2 });

        Assert.Equal(["ab", "bc", "cd"], analyzer.CharNGrams("abcd"));
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
