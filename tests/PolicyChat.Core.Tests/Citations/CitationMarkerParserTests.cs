using PolicyChat.Core.Answering.Citations;

namespace PolicyChat.Core.Tests.Citations;

public sealed class CitationMarkerParserTests
{
    public static TheoryData<string, string, int[]> SingleMarkers => new()
    {
        { "Fines apply [1].", "[1]", [1] },
        { "Fines apply [1, 2].", "[1, 2]", [1, 2] },
        { "Fines apply [1,2,3].", "[1,2,3]", [1, 2, 3] },
        { "Fines apply [ 3 ].", "[ 3 ]", [3] },
        { "Fines apply [2-4].", "[2-4]", [2, 3, 4] },
        { "Fines apply [2 – 4].", "[2 – 4]", [2, 3, 4] },
        { "Fines apply [1, 3-5, 9].", "[1, 3-5, 9]", [1, 3, 4, 5, 9] },
        { "Fines apply [1-50].", "[1-50]", Enumerable.Range(1, 20).ToArray() },
        { "Fines apply [2, 2, 1].", "[2, 2, 1]", [2, 1] },
        { "تطبق الغرامات [١].", "[١]", [1] },
        { "تطبق الغرامات [٢، ٣].", "[٢، ٣]", [2, 3] },
        { "تطبق الغرامات [۴].", "[۴]", [4] },
        { "罚款适用［1］。", "［1］", [1] },
        { "罚款适用【2】。", "【2】", [2] },
        { "罚款适用[１２]。", "[１２]", [12] },
        { "罚款适用【1，2、3】。", "【1，2、3】", [1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(SingleMarkers))]
    public void Parse_SupportedForms_ReturnsSpanAndNumbers(string answer, string markerText, int[] numbers)
    {
        var marker = Assert.Single(CitationMarkerParser.Parse(answer));

        Assert.Equal(answer.IndexOf(markerText, StringComparison.Ordinal), marker.Start);
        Assert.Equal(markerText, answer[marker.Start..marker.End]);
        Assert.Equal(numbers, marker.Numbers);
    }

    [Theory]
    [InlineData("See [see above] for details.")]
    [InlineData("Adopted in [2020].")]
    [InlineData("Index [0] is unused.")]
    [InlineData("Reversed [5-3] range.")]
    [InlineData("Unclosed [1 bracket.")]
    [InlineData("Mixed [1a] token.")]
    [InlineData("Footnote [^1] style.")]
    [InlineData("Empty [] and [ , ] brackets.")]
    [InlineData("Mismatched [1】 brackets.")]
    [InlineData("Too many digits [0000001].")]
    [InlineData("Partly out of range [1, 200].")]
    public void Parse_NotAMarker_ReturnsNothing(string answer) => Assert.Empty(CitationMarkerParser.Parse(answer));

    [Fact]
    public void Parse_MaxNumber_ControlsWhatCounts()
    {
        Assert.Empty(CitationMarkerParser.Parse("Adopted in [2020].", maxNumber: 100));
        Assert.Equal([2020], Assert.Single(CitationMarkerParser.Parse("Adopted in [2020].", maxNumber: 3000)).Numbers);
        Assert.Empty(CitationMarkerParser.Parse("Source [4].", maxNumber: 3));
    }

    [Fact]
    public void Parse_SeveralMarkers_InOrderWithOffsets()
    {
        const string Answer = "A [1][2] and [see] B [3, 4]. ج [٥]";

        var markers = CitationMarkerParser.Parse(Answer);

        Assert.Equal(["[1]", "[2]", "[3, 4]", "[٥]"], markers.Select(m => Answer[m.Start..m.End]));
        Assert.Equal([[1], [2], [3, 4], [5]], markers.Select(m => m.Numbers.ToArray()));
    }

    public static TheoryData<string, string> RewriteShiftByTen => new()
    {
        { "A [1] B [2, 3].", "A [11] B [12][13]." },
        { "ج [٢، ٣].", "ج [12][13]." },
        { "罚款适用【1】［2］。", "罚款适用[11][12]。" },
        { "Range [1-3].", "Range [11][12][13]." },
        { "Not markers: [2020], [see above].", "Not markers: [2020], [see above]." },
        { "No markers at all.", "No markers at all." },
    };

    [Theory]
    [MemberData(nameof(RewriteShiftByTen))]
    public void Rewrite_MapShiftsNumbers_CanonicalAsciiMarkers(string answer, string expected) =>
        Assert.Equal(expected, CitationMarkerParser.Rewrite(answer, n => n + 10));

    public static TheoryData<string, string> RewriteDropOdd => new()
    {
        { "A [1]. B [2].", "A. B [2]." },
        { "A [1, 2].", "A [2]." },
        { "A [1][2].", "A [2]." },
        { "A [2][1].", "A [2]." },
        { "A [1][3] and B.", "A and B." },
        { "[1] starts here.", " starts here." },
        { "A\t[3] B", "A B" },
        { "A  [3] B", "A  B" },
    };

    [Theory]
    [MemberData(nameof(RewriteDropOdd))]
    public void Rewrite_NullDropsNumber_EmptyMarkerRemovedWithOneSpace(string answer, string expected) =>
        Assert.Equal(expected, CitationMarkerParser.Rewrite(answer, n => n % 2 == 0 ? n : null));

    [Fact]
    public void Rewrite_NumbersMappedToSameTarget_Deduplicated() =>
        Assert.Equal("A [5] B.", CitationMarkerParser.Rewrite("A [1, 2][3] B.", _ => 5));

    [Fact]
    public void Rewrite_MapReturnsZeroOrNegative_TreatedAsDropped() =>
        Assert.Equal("A.", CitationMarkerParser.Rewrite("A [1].", _ => 0));

    [Fact]
    public void Rewrite_MaxNumber_LeavesLargerBracketsAlone() =>
        Assert.Equal("[2020] [7]", CitationMarkerParser.Rewrite("[2020] [3]", n => n + 4, maxNumber: 10));
}
