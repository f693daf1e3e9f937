using PolicyChat.Core.Answering;
using static PolicyChat.Core.Tests.Answering.CitationUnitSamples;

namespace PolicyChat.Core.Tests.Answering;

public sealed class StreamingCitationFilterTests
{
    private const string Claim = "تهدف شنغهاي إلى إنشاء أكثر من 200 مشروع مفتوح المصدر";

    private static StreamingCitationFilter NewFilter(params Passage[] passages) =>
        new(passages.Length == 0 ? [Arabic(1), English(2)] : passages, Verifier(), 0.35);

    private static string PushAll(StreamingCitationFilter filter, params string[] deltas) =>
        string.Concat(deltas.Select(filter.Push)) + filter.Complete();

    [Fact]
    public void Push_PlainText_PassesThroughAtOnce()
    {
        var filter = NewFilter();

        Assert.Equal("نص ", filter.Push("نص "));
        Assert.Equal("بلا إحالات.", filter.Push("بلا إحالات."));
        Assert.Equal("", filter.Complete());
        Assert.Equal("نص بلا إحالات.", filter.Text);
    }

    [Fact]
    public void Push_MarkerSplitAcrossDeltas_IsHeldBackUntilItClosesThenEmitted()
    {
        var filter = NewFilter();

        Assert.Equal(Claim + " ", filter.Push(Claim + " "));
        Assert.Equal("", filter.Push("["));
        Assert.Equal("", filter.Push("1"));
        Assert.Equal("[1].", filter.Push("]."));

        Assert.Equal($"{Claim} [1].", filter.Text);
        var citation = Assert.Single(filter.Citations);
        Assert.Equal(1, citation.Marker);
        Assert.Equal("doc-ar", citation.DocumentId);
        Assert.Equal(ArabicSentence1, citation.Quote);
        Assert.Equal(ArabicSentence1, ArabicDocument[citation.Start..citation.End]);
        Assert.Empty(filter.UnsupportedClaims);
    }

    [Fact]
    public void Push_FullWidthMarkerSplitAcrossDeltas_IsEmittedCanonically()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, Claim, " ［", "1］", ".");

        Assert.Equal($"{Claim} [1].", shown);
        Assert.Equal(1, Assert.Single(filter.Citations).Marker);
    }

    [Fact]
    public void Push_ArabicIndicMarker_IsEmittedCanonically()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, Claim + " [١].");

        Assert.Equal($"{Claim} [1].", shown);
    }

    [Fact]
    public void Complete_UnclosedBracketAtTheEnd_IsShownAsText()
    {
        var filter = NewFilter();

        Assert.Equal(Claim + " ", filter.Push(Claim + " [1"));
        Assert.Equal("[1", filter.Complete());

        Assert.Equal(Claim + " [1", filter.Text);
        Assert.Empty(filter.Citations);
    }

    [Theory]
    [InlineData("في عام [2020] أعلنت الحكومة خطتها.")]
    [InlineData("see the annex [see above] for details.")]
    [InlineData("[0] is not a passage.")]
    public void Push_BracketThatIsNoMarker_IsLeftAsText(string text)
    {
        var filter = NewFilter();

        var shown = PushAll(filter, text);

        Assert.Equal(text, shown);
        Assert.Empty(filter.Citations);
        Assert.Empty(filter.UnsupportedClaims);
    }

    [Fact]
    public void Push_LineBreakInsideBracket_FlushesTheBracketAsText()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, "قائمة [1\n", "- بند [2].");

        Assert.StartsWith("قائمة [1\n- بند", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("[2]", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Push_MarkerBeyondThePassages_IsDropped()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, Claim, " [1][9].");

        Assert.Equal($"{Claim} [1].", shown);
        Assert.Equal([1], filter.Citations.Select(c => c.Marker));
        Assert.Empty(filter.UnsupportedClaims);
    }

    [Fact]
    public void Push_GroupedMarker_KeepsOnlySupportingPassagesInCanonicalForm()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, Claim + " [1, 2].");

        Assert.Equal($"{Claim} [1].", shown);
        Assert.Equal([1], filter.Citations.Select(c => c.Marker));
    }

    [Fact]
    public void Push_UnsupportedClaim_LosesItsMarkerAndIsListed()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, $"{Claim} [1]. ", "فازت الأرجنتين بكأس العالم في قطر [1].");

        Assert.Equal($"{Claim} [1]. فازت الأرجنتين بكأس العالم في قطر .", shown);
        Assert.Equal(["فازت الأرجنتين بكأس العالم في قطر"], filter.UnsupportedClaims);
        Assert.Single(filter.Citations);
    }

    [Fact]
    public void Push_SecondSentenceCitingAnotherPassage_IsJudgedOnItsOwnSentence()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, $"{Claim} [1]. ", "DeepSeek announced an open source week starting on February 24 [2].");

        Assert.EndsWith("February 24 [2].", shown, StringComparison.Ordinal);
        Assert.Equal([1, 2], filter.Citations.Select(c => c.Marker));
        var english = filter.Citations[1];
        Assert.Equal(EnglishSentence1, english.Quote);
        Assert.Equal(EnglishSentence1, EnglishDocument[english.Start..english.End]);
    }

    [Fact]
    public void Push_SameMarkerTwiceForTheSameSentence_RecordsOneCitation()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, $"{Claim} [1][1].");

        Assert.Equal($"{Claim} [1][1].", shown);
        Assert.Single(filter.Citations);
    }

    [Fact]
    public void Push_BracketOpenedInsidePendingBracket_DoesNotLeakAnUnverifiedMarker()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, "فازت الأرجنتين بكأس العالم في قطر [[1].");

        Assert.DoesNotContain("[1]", shown, StringComparison.Ordinal);
        Assert.StartsWith("فازت الأرجنتين بكأس العالم في قطر", Assert.Single(filter.UnsupportedClaims), StringComparison.Ordinal);
        Assert.Empty(filter.Citations);
    }

    [Fact]
    public void Push_BracketOpenedInsidePendingBracket_StillVerifiesTheInnerMarker()
    {
        var filter = NewFilter();

        var shown = PushAll(filter, $"{Claim} [[1].");

        Assert.Equal($"{Claim} [[1].", shown);
        Assert.Equal(1, Assert.Single(filter.Citations).Marker);
    }
}
