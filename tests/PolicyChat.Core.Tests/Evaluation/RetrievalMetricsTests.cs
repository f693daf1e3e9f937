using PolicyChat.Core.Evaluation;

namespace PolicyChat.Core.Tests.Evaluation;

public sealed class RetrievalMetricsTests
{
    [Fact]
    public void Compute_MixedRanks_GivesRecallAndMrr()
    {
        int?[] ranks = [1, 2, 6, null];
        var m = RetrievalMetrics.Compute(ranks, [1, 2, 3, 4]);

        Assert.Equal(4, m.Questions);
        Assert.Equal(0.25, m.RecallAt1, 6);
        Assert.Equal(0.5, m.RecallAt5, 6);
        Assert.Equal(0.75, m.RecallAt10, 6);
        Assert.Equal((1 + 0.5 + 1.0 / 6) / 4, m.MrrAt10, 6);
        Assert.Equal(2, m.P50Ms);
        Assert.Equal(4, m.P95Ms);
    }

    [Fact]
    public void Compute_NoQuestions_IsAllZero()
    {
        var m = RetrievalMetrics.Compute([], []);

        Assert.Equal(0, m.Questions);
        Assert.Equal(0, m.RecallAt1);
    }

    [Theory]
    [InlineData(0.5, 50)]
    [InlineData(0.95, 95)]
    [InlineData(1.0, 100)]
    public void Percentile_NearestRank_OnOneToHundred(double p, double expected)
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.Equal(expected, RetrievalMetrics.Percentile(values, p));
    }
}
