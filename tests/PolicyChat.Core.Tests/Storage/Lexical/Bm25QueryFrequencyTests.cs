using PolicyChat.Core.Storage.Lexical;

namespace PolicyChat.Core.Tests.Storage.Lexical;

public sealed class Bm25QueryFrequencyTests
{
    private static Bm25Index Index(double k3) => Bm25TestKit.Build(
        [(0, ["x", "filler"]), (1, ["y", "filler"]), (2, ["filler", "other"]), (3, ["other", "more"])],
        new Bm25Parameters { K3 = k3 });

    [Theory]
    [InlineData(1.0, 2, 4.0 / 3)]   // (k3 + 1)·qtf / (k3 + qtf) = 2·2/3
    [InlineData(1.0, 3, 1.5)]       // 2·3/4
    [InlineData(0.0, 3, 1.0)]       // k3 = 0 ignores repeats
    [InlineData(1000.0, 2, 2.0 * 1001 / 1002)]
    public void Search_RepeatedQueryTerm_WeighsBySaturatedQueryFrequency(double k3, int repeats, double expectedFactor)
    {
        using var index = Index(k3);
        var once = Bm25TestKit.Search(index, ["x"]).Single(h => h.Doc == 0).Score;

        var repeated = Bm25TestKit.Search(index, Enumerable.Repeat("x", repeats).ToList()).Single(h => h.Doc == 0).Score;

        Assert.Equal(once * expectedFactor, repeated, 4);
    }

    [Fact]
    public void Search_RepeatedTermOutweighsSingleEqualTerm()
    {
        using var index = Index(1.0);

        var hits = Bm25TestKit.Search(index, ["x", "x", "y"]);

        Assert.Equal(0, hits[0].Doc);
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Validate_NegativeOrNaNK3_Rejected(double k3) =>
        Assert.Contains(new Bm25Parameters { K3 = k3 }.Validate("Storage:Sqlite:NGrams"), e => e.Contains("K3", StringComparison.Ordinal));
}
