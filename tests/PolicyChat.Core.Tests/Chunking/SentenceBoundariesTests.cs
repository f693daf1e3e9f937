using PolicyChat.Core.Chunking;

namespace PolicyChat.Core.Tests.Chunking;

public sealed class SentenceBoundariesTests
{
    public static TheoryData<string, string[]> Golden => new()
    {
        { "The rate rose 3.5 percent in the U.S. last year. Next one.", ["The rate rose 3.5 percent in the U.S. last year.", "Next one."] },
        { "Dr. Smith spoke, e.g. about fines. Law No. 5 applies!", ["Dr. Smith spoke, e.g. about fines.", "Law No. 5 applies!"] },
        { "Visit example.com today. Really?! Yes; now.", ["Visit example.com today.", "Really?!", "Yes;", "now."] },
        { "He said \"stop.\" Then he left. (It was late.) Done", ["He said \"stop.\"", "Then he left.", "(It was late.)", "Done"] },
        { "Wait... what happened?", ["Wait... what happened?"] },
        { "هل يطبق القانون؟ نعم؛ يطبق على الجميع. انتهى", ["هل يطبق القانون؟", "نعم؛", "يطبق على الجميع.", "انتهى"] },
        { "بلغت الاستثمارات 3.5 مليار، وهو رقم قياسي.", ["بلغت الاستثمارات 3.5 مليار، وهو رقم قياسي."] },
        { "لمستقبل أفضل للبشرية.وأكد الرئيس ذلك.", ["لمستقبل أفضل للبشرية.", "وأكد الرئيس ذلك."] },
        { "ماذا حدث?وقال الوزير!", ["ماذا حدث?", "وقال الوزير!"] },
        { "第一句。第二句！第三句？第四句；结束", ["第一句。", "第二句！", "第三句？", "第四句；", "结束"] },
        { "他说：“数据很重要。”然后离开了。", ["他说：“数据很重要。”", "然后离开了。"] },
        { "Line one without stop\nLine two.\r\n\r\n  Line three  ", ["Line one without stop", "Line two.", "Line three"] },
        { "X is Y.[1] Z.", ["X is Y.", "[1] Z."] },
        { "Intro:\n1. First item\n 2. Second item. In 2024. Next", ["Intro:", "1. First item", "2. Second item.", "In 2024.", "Next"] },
        { "   ", [] },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Split_Golden_ReturnsExpectedSentences(string text, string[] expected)
    {
        var sentences = SentenceBoundaries.Split(text);

        Assert.Equal(expected, sentences.Select(s => text[s.Start..s.End]));
    }

    [Fact]
    public void Split_Range_ReturnsAbsoluteOffsetsInsideRange()
    {
        const string Text = "Ignored. First in range. Second in range. Ignored too.";
        var start = Text.IndexOf("First", StringComparison.Ordinal);
        var end = Text.IndexOf(" Ignored too", StringComparison.Ordinal);
        var sentences = new List<TextRange>();

        SentenceBoundaries.Split(Text, start, end, sentences);

        Assert.Equal(["First in range.", "Second in range."], sentences.Select(s => Text[s.Start..s.End]));
    }

    [Fact]
    public void SplitClauses_LatinArabicCjkCommas_SplitAfterCommaButNotInsideNumbers()
    {
        const string Text = "It costs 1,000 euros, or more، ثم بعد ذلك，然后、最后";
        var clauses = new List<TextRange>();

        SentenceBoundaries.SplitClauses(Text, 0, Text.Length, clauses);

        Assert.Equal(["It costs 1,000 euros,", "or more،", "ثم بعد ذلك，", "然后、", "最后"], clauses.Select(c => Text[c.Start..c.End]));
    }

    [Theory]
    [InlineData('.', true)]
    [InlineData('؟', true)]
    [InlineData('؛', true)]
    [InlineData('。', true)]
    [InlineData('！', true)]
    [InlineData('،', false)]
    [InlineData(',', false)]
    [InlineData('a', false)]
    public void IsTerminator_Characters_ClassifiedAsDocumented(char c, bool expected) =>
        Assert.Equal(expected, SentenceBoundaries.IsTerminator(c));
}
