using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>The in-memory vector index kept in step with writes: it must always equal a fresh load of the live rows.</summary>
public sealed class DenseVectorIndexTests
{
    private const int Dims = 8;

    [Fact]
    public void Apply_RandomWritesWithRowIdReuseAndMerges_SearchesExactlyLikeAFreshLoadOfTheLiveRows()
    {
        var random = new Random(1234);
        var incremental = new DenseVectorIndex();
        var live = new SortedDictionary<long, float[]>();
        incremental.Load([]);
        long nextRowId = 1;
        var merged = false;
        for (var step = 0; step < 400; step++)
        {
            var removed = new List<long>();
            if (live.Count > 0 && random.NextDouble() < 0.5)
            {
                // Remove a run of rows (a document's chunks), sometimes the newest ones so that their rowids are reused.
                var keys = live.Keys.ToList();
                var start = random.NextDouble() < 0.3 ? Math.Max(0, keys.Count - 3) : random.Next(keys.Count);
                removed.AddRange(keys.Skip(start).Take(random.Next(1, 4)));
                removed.Add(-1); // a chunk without a vector: unknown to the index
            }
            foreach (var rowId in removed)
            {
                live.Remove(rowId);
            }
            // SQLite gives a new row max(rowid) + 1: a deleted maximum is reused.
            nextRowId = live.Count == 0 ? Math.Min(nextRowId, 1) : live.Keys.Max() + 1;
            var added = new List<(long, float[])>();
            for (var i = random.Next(0, 4); i > 0; i--)
            {
                var vector = Vector(random);
                added.Add((nextRowId, vector));
                live[nextRowId++] = vector;
            }
            incremental.Apply(removed, added);
            merged |= incremental.Segments == 1 && step > DenseVectorIndex.MaxSegments;

            var fresh = new DenseVectorIndex();
            fresh.Load([.. live.Select(kv => (kv.Key, kv.Value))]);
            Assert.Equal(live.Count, incremental.Count);
            var query = Vector(random);
            var limit = random.Next(1, 12);
            var allowed = random.NextDouble() < 0.2 ? live.Keys.Where(_ => random.NextDouble() < 0.5).ToHashSet() : null;
            Assert.Equal(fresh.Search(query, limit, allowed), incremental.Search(query, limit, allowed));
        }
        Assert.True(merged, "the test should have gone through at least one merge");
        Assert.InRange(incremental.Segments, 0, DenseVectorIndex.MaxSegments);
    }

    [Fact]
    public void Apply_ReusedRowId_IsLiveWithItsNewVectorAndTheOldVectorIsGone()
    {
        var index = new DenseVectorIndex();
        index.Load([(1, [1f, 0f]), (2, [0f, 1f])]);

        index.Apply([2], [(2, [1f, 0.1f])]);

        var hits = index.Search([0f, 1f], 5, null);
        Assert.Equal(2, index.Count);
        Assert.Equal([2L, 1L], hits.Select(h => h.RowId));
        Assert.True(hits[0].Score < 0.2, "the old vector of rowid 2 (cosine 1) must not be found");
    }

    [Fact]
    public void Apply_FirstVectorsIntoAnEmptyIndex_SetTheDimensionAndOthersAreLeftOutAsALoadWould()
    {
        var index = new DenseVectorIndex();
        index.Load([]);

        index.Apply([], [(1, [1f, 0f, 0f]), (2, [1f, 0f])]);

        Assert.Equal(3, index.Dimensions);
        Assert.Equal(1, index.Count);
        Assert.Throws<InvalidOperationException>(() => index.Search([1f, 0f], 1, null));
    }

    [Fact]
    public void Apply_RemovingEveryRow_EmptiesTheIndexAndANewDimensionIsAccepted()
    {
        var index = new DenseVectorIndex();
        index.Load([(1, [1f, 0f])]);

        index.Apply([1], []);
        index.Apply([], [(2, [0f, 0f, 1f])]);

        Assert.Equal(3, index.Dimensions);
        Assert.Equal([2L], index.Search([0f, 0f, 1f], 3, null).Select(h => h.RowId));
    }

    private static float[] Vector(Random random)
    {
        var v = new float[Dims];
        for (var i = 0; i < Dims; i++)
        {
            v[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return v;
    }
}
