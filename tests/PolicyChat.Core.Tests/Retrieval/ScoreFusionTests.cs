using PolicyChat.Core.Retrieval;

namespace PolicyChat.Core.Tests.Retrieval;

public sealed class ScoreFusionTests
{
    [Fact]
    public void FuseScores_EachLegDividedByItsBest_WeightedSum()
    {
        var fused = RankFusion.FuseScores<string>(
        [
            new(1.0, [("a", 10.0), ("b", 5.0)]),
            new(2.0, [("b", 4.0), ("c", 1.0)]),
        ]);

        var scores = fused.ToDictionary(f => f.Key, f => f.Score);
        Assert.Equal(1.0, scores["a"], 12);
        Assert.Equal(0.5 + 2.0, scores["b"], 12);
        Assert.Equal(2.0 * 0.25, scores["c"], 12);
        Assert.Equal(["b", "a", "c"], fused.Select(f => f.Key));
    }

    [Fact]
    public void FuseScores_LeadWithinLeg_SurvivesWhereReciprocalRankFlattensIt()
    {
        // "a" leads the first leg by far; "b" is a close second in both legs. Reciprocal rank sees only ranks.
        var words = new[] { ("a", 20.0), ("b", 2.0) };
        var grams = new[] { ("b", 10.0), ("a", 9.5) };

        var byScore = RankFusion.FuseScores<string>([new(1.0, words), new(1.0, grams)]);
        var byRank = RankFusion.Fuse<string>([new(1.0, words.Select(w => w.Item1).ToList()), new(1.0, grams.Select(g => g.Item1).ToList())]);

        Assert.Equal("a", byScore[0].Key);
        Assert.Equal(byRank[0].Score, byRank[1].Score, 12); // a tie by rank, broken only by first appearance
    }

    [Fact]
    public void FuseScores_ZeroWeightOrEmptyOrNonPositiveLeg_AddsNothing()
    {
        var fused = RankFusion.FuseScores<string>(
        [
            new(0, [("x", 5.0)]),
            new(1.0, []),
            new(1.0, [("z", 0.0)]),
            new(1.0, [("y", 3.0)]),
        ]);

        Assert.Equal(["y"], fused.Select(f => f.Key));
    }

    [Fact]
    public void FuseScores_Limit_KeepsBest()
    {
        var fused = RankFusion.FuseScores<int>([new(1.0, Enumerable.Range(1, 10).Select(i => (i, 11.0 - i)).ToList())], limit: 3);

        Assert.Equal([1, 2, 3], fused.Select(f => f.Key));
    }
}
