using PolicyChat.Core.Answering.Citations;

namespace PolicyChat.Core.Tests.Citations;

public sealed class AnswerSentenceSplitterTests
{
    public static TheoryData<string, string[]> Golden => new()
    {
        { "X is Y. [1] Z.", ["X is Y. [1]", "Z."] },
        { "X is Y [1]. Z [2].", ["X is Y [1].", "Z [2]."] },
        { "X is Y.[1][2] Z.", ["X is Y.[1][2]", "Z."] },
        { "X is Y. [1] [2] Z.", ["X is Y. [1] [2]", "Z."] },
        { "X is Y. [1]", ["X is Y. [1]"] },
        { "The rate is 3.5 percent in the U.S. [1] and rising.", ["The rate is 3.5 percent in the U.S. [1] and rising."] },
        { "يطبق القانون على الجميع [١]. هل يشمل الشركات؟ [٢] نعم؛ بالتأكيد [٣].", ["يطبق القانون على الجميع [١].", "هل يشمل الشركات؟ [٢]", "نعم؛", "بالتأكيد [٣]."] },
        { "数据必须本地存储【1】。企业需要审查。［2］然后上报！", ["数据必须本地存储【1】。", "企业需要审查。［2］", "然后上报！"] },
        { "- First point [1]\n- Second point [2]", ["- First point [1]", "- Second point [2]"] },
        { "Summary.\n[1] Source line.", ["Summary.", "[1] Source line."] },
        { "Adopted in 2020. [2020] was the year.", ["Adopted in 2020.", "[2020] was the year."] },
        { "1. First point [1]\n2. Second point. [2]", ["1. First point [1]", "2. Second point. [2]"] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Split_Golden_ReturnsExpectedSentences(string answer, string[] expected)
    {
        var sentences = AnswerSentenceSplitter.Split(answer);

        Assert.Equal(expected, sentences.Select(s => s.Text));
        Assert.All(sentences, s => Assert.Equal(answer[s.Start..s.End], s.Text));
    }

    [Fact]
    public void Split_MarkersAssignedToTheirSentences()
    {
        const string Answer = "Providers must register [1, 2]. Fines apply. [3] Appeals go to court [2][4].";

        var sentences = AnswerSentenceSplitter.Split(Answer);

        Assert.Equal(3, sentences.Count);
        Assert.Equal([1, 2], sentences[0].CitedNumbers);
        Assert.Equal([3], sentences[1].CitedNumbers);
        Assert.Equal([2, 4], sentences[2].CitedNumbers);
        Assert.All(sentences.SelectMany(s => s.Markers), m => Assert.Contains(Answer[m.Start..m.End], sentences.Select(s => s.Text).First(t => t.Contains(Answer[m.Start..m.End], StringComparison.Ordinal))));
    }
}
