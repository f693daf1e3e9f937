using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Retrieval;

/// <summary>Golden tests: which words of a question can match a passage in another language without translation.</summary>
public sealed class CrossLanguageAnchorsTests
{
    private static readonly TextAnalyzer Analyzer = TextAnalyzer.Default;

    private static string[] Names(string question) =>
        [.. CrossLanguageAnchors.Find(question, Analyzer).Where(a => a.IsName).Select(a => a.Term)];

    private static string[] Numbers(string question) =>
        [.. CrossLanguageAnchors.Find(question, Analyzer).Where(a => !a.IsName).Select(a => a.Term)];

    private static string Term(string word) => Assert.Single(Analyzer.Terms(word));

    [Theory]
    [InlineData("When was DeepSeek founded?", new[] { "DeepSeek" })]
    [InlineData("What did Xi Jinping say about building a community in cyberspace?", new[] { "Xi", "Jinping" })]
    [InlineData("DeepSeek and ZTE: who leads?", new[] { "DeepSeek", "ZTE" })]
    [InlineData("Is OpenAI bigger than Huawei?", new[] { "OpenAI", "Huawei" })]
    public void Find_EnglishQuestion_NamesAreInnerCapitalsOrCapitalsInsideASentence(string question, string[] expected)
    {
        Assert.Equal(expected.Select(Term), Names(question));
    }

    [Theory]
    [InlineData("When was the company founded?")]
    [InlineData("Shanghai. Where is it?")]
    [InlineData("Open source: what changed?")]
    [InlineData("")]
    public void Find_EnglishQuestionWithoutNames_HasNoNameAnchors(string question)
    {
        Assert.Empty(Names(question));
    }

    [Fact]
    public void Find_EnglishCapitalizedWordOpeningTheSecondSentence_IsNotAName()
    {
        Assert.Equal([Term("Tencent")], Names("Look at Tencent. Which investments did it make?"));
    }

    [Fact]
    public void Find_ArabicQuestion_EveryLatinWordIsANameWhateverItsCase()
    {
        Assert.Equal([Term("DeepSeek"), Term("tencent")], Names("متى تأسست DeepSeek وما علاقتها بـ tencent؟"));
    }

    [Fact]
    public void Find_ArabicQuestionWithoutLatinWords_HasNoNames()
    {
        Assert.Empty(Names("كم فريقًا بحثيًا تدعمه منشأة علوم البروتين الوطنية في شنغهاي؟"));
    }

    [Fact]
    public void Find_Numbers_AreAnchorsButNeverNames_AndArabicIndicDigitsFoldToTheSameTerm()
    {
        Assert.Equal([Term("2023")], Numbers("What did DeepSeek release in 2023?"));
        Assert.Equal([Term("2023")], Numbers("ماذا أطلقت DeepSeek عام ٢٠٢٣؟"));
        Assert.Empty(Names("How many teams in 2023?"));
    }

    [Fact]
    public void Find_RepeatedName_IsReportedOnce()
    {
        Assert.Equal([Term("DeepSeek")], Names("Why did DeepSeek win, and who copied DeepSeek?"));
    }
}
