using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Tests.Retrieval;

public sealed class NearDuplicatesTests
{
    private static ChunkHit Hit(string doc, string text) =>
        new(doc, 0, 0, text.Length, text, "t", "ar", null, null, 1, new LegRanks(null, null, null));

    private const string Article = "أعلنت الحكومة اليوم عن قانون جديد لحماية البيانات الشخصية يلزم الشركات بتخزين بيانات المواطنين داخل البلاد";

    [Fact]
    public void Collapse_SyndicatedCopyWithDiacriticsAndTatweel_KeepsTheBetterRankedOnly()
    {
        var copy = "أَعلنت الحكومـــة اليوم عن قانون جديد لحماية البيانات الشخصية يُلزم الشركات بتخزين بيانات المواطنين داخل البلاد.";
        var other = "Cloud providers opened two new data centres in the region this year.";

        var kept = NearDuplicates.Collapse([Hit("a", Article), Hit("b", copy), Hit("c", other)]);

        Assert.Equal(["a", "c"], kept.Select(h => h.DocumentId));
    }

    [Fact]
    public void Collapse_SameTopicDifferentWording_KeepsBoth()
    {
        var related = "ناقش البرلمان مشروع قانون حماية البيانات الشخصية وسط اعتراض شركات التقنية على شرط التخزين المحلي";

        var kept = NearDuplicates.Collapse([Hit("a", Article), Hit("b", related)]);

        Assert.Equal(2, kept.Count);
    }

    [Fact]
    public void Collapse_CaseOnlyDifferenceInEnglish_IsADuplicate()
    {
        var kept = NearDuplicates.Collapse([Hit("a", "The Export Rules Cover Advanced Chips And Tools"), Hit("b", "the export rules cover advanced chips and tools")]);

        Assert.Single(kept);
    }

    [Fact]
    public void Shingles_OneWord_IsItsOwnShingle_AndJaccardOfEmptySetsIsOne()
    {
        Assert.Single(NearDuplicates.Shingles("word"));
        Assert.Equal(1.0, NearDuplicates.Jaccard([], []));
        Assert.Equal(0.5, NearDuplicates.Jaccard([1, 2, 3], [2, 3, 4]));
        Assert.True(NearDuplicates.Jaccard([1, 2, 3], [2, 3, 4], threshold: 0.8) < 0.8);
        Assert.Equal(2, NearDuplicates.Shingles("a b c").Length);
    }
}
