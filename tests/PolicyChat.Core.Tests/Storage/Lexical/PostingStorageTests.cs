using PolicyChat.Core.Storage.Lexical;

namespace PolicyChat.Core.Tests.Storage.Lexical;

/// <summary>The in-memory index's term table (<see cref="PackedTermTable"/>) and posting pages (<see cref="PostingPool"/>).</summary>
public sealed class PostingStorageTests
{
    [Fact]
    public void PackedTermTable_KeepsEveryIdAcrossGrowth_AndCollidingLowBits()
    {
        var table = new PackedTermTable();
        var keys = new List<ulong>();
        for (var i = 1; i <= 5000; i++)
        {
            keys.Add((ulong)i << 20); // same low bits: every key probes from slot 0
            keys.Add(PackedTerm.Key((ulong)i));
        }
        for (var id = 0; id < keys.Count; id++)
        {
            ref var slot = ref table.FindOrAdd(keys[id], out var exists);
            Assert.False(exists);
            slot = id;
        }
        for (var id = 0; id < keys.Count; id++)
        {
            Assert.Equal(id, table.Find(keys[id]));
            Assert.Equal(id, table.FindOrAdd(keys[id], out var exists));
            Assert.True(exists);
        }
        Assert.Equal(keys.Count, table.Count);
        Assert.Equal(-1, table.Find(12345));
        Assert.Equal(-1, table.Find(5001UL << 20));
    }

    [Fact]
    public void PostingPool_GrowKeepsTheBytes_AndReusesFreedSlots()
    {
        var pool = new PostingPool();
        pool.Allocate(PostingPool.MinCapacity, exact: false, out var page, out var offset, out var capacity);
        pool.Allocate(PostingPool.MinCapacity, exact: false, out var otherPage, out var otherOffset, out _);
        var expected = new List<byte>();
        for (var i = 0; i < 1_000_000; i++) // past a page: the list ends on a page of its own
        {
            if (capacity - expected.Count < 1)
            {
                var (oldPage, oldOffset) = (page, offset);
                pool.Grow(ref page, ref offset, ref capacity, expected.Count, 1);
                if (capacity == 2 * PostingPool.MinCapacity)
                {
                    // the first slot freed is the next one of its size handed out
                    pool.Allocate(PostingPool.MinCapacity, exact: false, out var reusedPage, out var reusedOffset, out _);
                    Assert.Equal((oldPage, oldOffset), (reusedPage, reusedOffset));
                }
            }
            pool.Page(page)[offset + expected.Count] = (byte)(i * 7);
            expected.Add((byte)(i * 7));
        }
        Assert.True(capacity >= expected.Count);
        Assert.Equal(expected, pool.Data(page, offset, expected.Count).ToArray());
        Assert.NotEqual((page, offset), (otherPage, otherOffset));
    }

    [Fact]
    public void PostingPool_ExactSlotsHoldTheirSize()
    {
        var pool = new PostingPool();
        pool.Allocate(3, exact: true, out var a, out var aOffset, out var aCapacity);
        pool.Allocate(5, exact: true, out var b, out var bOffset, out var bCapacity);
        Assert.Equal((3, 5), (aCapacity, bCapacity));
        Assert.Equal(a, b);
        Assert.Equal(aOffset + 3, bOffset);
    }
}
