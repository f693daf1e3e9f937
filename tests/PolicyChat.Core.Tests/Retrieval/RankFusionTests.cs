using PolicyChat.Core.Retrieval;

namespace PolicyChat.Core.Tests.Retrieval;

public sealed class RankFusionTests
{
    [Fact]
    public void Fuse_ItemInBothLegs_BeatsItemsInOneLeg()
    {
        var fused = RankFusion.Fuse<string>([new(1.0, ["a", "b", "c"]), new(1.0, ["c", "d"])], k: 60);

        Assert.Equal("c", fused[0].Key);
        Assert.Equal(1.0 / 63 + 1.0 / 61, fused[0].Score, 12);
    }

    [Fact]
    public void Fuse_WeightedLeg_DominatesUnweighted()
    {
        var fused = RankFusion.Fuse<string>([new(0.2, ["a"]), new(1.0, ["b"])], k: 60);

        Assert.Equal(["b", "a"], fused.Select(f => f.Key));
    }

    [Fact]
    public void Fuse_ZeroWeightLeg_IsIgnored()
    {
        var fused = RankFusion.Fuse<string>([new(0, ["x"]), new(1.0, ["y"])]);

        Assert.Equal(["y"], fused.Select(f => f.Key));
    }

    [Fact]
    public void Fuse_TiesKeepFirstSeenOrder_AndLimitApplies()
    {
        var fused = RankFusion.Fuse<string>([new(1.0, ["a", "b"]), new(1.0, ["b2", "a2"])], limit: 3);

        Assert.Equal(["a", "b2", "b"], fused.Select(f => f.Key));
    }

    [Fact]
    public void Fuse_NoLegs_ReturnsEmpty()
    {
        Assert.Empty(RankFusion.Fuse<int>([]));
    }
}
