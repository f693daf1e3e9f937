using System.Text;
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

    [Fact]
    public void Split_RandomAnswers_SentencesCoverTextAndEveryMarkerBelongsToOneSentence()
    {
        string[] atoms =
        [
            "Fines", "apply", "U.S.", "3.5", "القانون", "数据", " ", " ", "\n", ". ", ".", "?", "؟ ", "。", "！", ";", "[1]", "[2, 3]", "[٤]",
            "【5】", "［6］", "[2020]", "[see]", "[", "]", "-",
        ];
        var random = new Random(7);
        for (var iteration = 0; iteration < 500; iteration++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 400);
            while (builder.Length < length)
            {
                builder.Append(atoms[random.Next(atoms.Length)]);
            }
            var answer = builder.ToString();

            var sentences = AnswerSentenceSplitter.Split(answer);
            var markers = CitationMarkerParser.Parse(answer);

            var previousEnd = 0;
            foreach (var sentence in sentences)
            {
                Assert.Equal(answer[sentence.Start..sentence.End], sentence.Text);
                Assert.NotEqual(0, sentence.Text.Length);
                Assert.False(char.IsWhiteSpace(sentence.Text[0]) || char.IsWhiteSpace(sentence.Text[^1]));
                Assert.True(sentence.Start >= previousEnd);
                Assert.True(string.IsNullOrWhiteSpace(answer[previousEnd..sentence.Start]));
                previousEnd = sentence.End;
            }
            Assert.True(string.IsNullOrWhiteSpace(answer[previousEnd..]));
            Assert.Equal(markers.Select(m => (m.Start, m.End)), sentences.SelectMany(s => s.Markers).Select(m => (m.Start, m.End)));
            Assert.All(markers, m => Assert.Single(sentences, s => s.Start <= m.Start && m.End <= s.End));
        }
    }

    [Fact]
    public void Rewrite_RandomAnswers_IdentityMapKeepsNonMarkerTextAndCanonicalizes()
    {
        var random = new Random(9);
        string[] atoms = ["text", " ", "[1]", "[2, 3]", "[٤، ٥]", "【6】", "[2020]", "[x]", ".", "[1-3]"];
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var answer = string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => atoms[random.Next(atoms.Length)]));

            var rewritten = CitationMarkerParser.Rewrite(answer, n => n);
            var dropped = CitationMarkerParser.Rewrite(answer, _ => null);

            // Canonical output parses back to the same numbers, all markers in ASCII form.
            var before = CitationMarkerParser.Parse(answer).SelectMany(m => m.Numbers).ToList();
            var after = CitationMarkerParser.Parse(rewritten);
            Assert.All(after, m => Assert.Equal($"[{Assert.Single(m.Numbers)}]", rewritten[m.Start..m.End]));
            Assert.Equal(before.Count == 0 ? 0 : 1, Math.Sign(after.Count));
            Assert.Empty(CitationMarkerParser.Parse(dropped));
            Assert.Equal(answer.Contains("[2020]", StringComparison.Ordinal), dropped.Contains("[2020]", StringComparison.Ordinal));
        }
    }
}
