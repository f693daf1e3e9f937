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

/// <summary>Quantized mode: 1-bit candidates rescored from int8 codes must find what exact search finds.</summary>
public sealed class QuantizedDenseVectorIndexTests
{
    [Fact]
    public void Search_ClusteredVectors_RecallAt10AgainstExactIsHigh_AndScoresAreNearlyExact()
    {
        var (rows, queries) = Clustered(dims: 128, count: 3000, queries: 40, seed: 5);
        var exact = new DenseVectorIndex(DenseSearchMode.Exact);
        var quantized = new DenseVectorIndex(DenseSearchMode.Quantized);
        exact.Load(rows);
        quantized.Load(rows);

        var found = 0;
        foreach (var q in queries)
        {
            var truth = exact.Search(q, 10, null);
            var approx = quantized.Search(q, 10, null);
            Assert.Equal(10, approx.Count);
            found += approx.Count(h => truth.Any(t => t.RowId == h.RowId));
            var exactScores = truth.ToDictionary(h => h.RowId, h => h.Score);
            foreach (var (rowId, score) in approx.Where(h => exactScores.ContainsKey(h.RowId)))
            {
                Assert.InRange(score, exactScores[rowId] - 0.01, exactScores[rowId] + 0.01);
            }
        }
        Assert.True(found >= 0.95 * 10 * queries.Count, $"recall@10 {found / (10.0 * queries.Count):0.000}");
    }

    [Fact]
    public void Apply_WritesAndMerges_NeverReturnRemovedRows_AndKeepFindingTheNearest()
    {
        var (rows, _) = Clustered(dims: 64, count: 2000, queries: 0, seed: 9);
        var index = new DenseVectorIndex(DenseSearchMode.Quantized);
        index.Load(rows.Take(500).ToList());
        var live = rows.Take(500).ToDictionary(r => r.RowId, r => r.Vector);
        var random = new Random(3);
        for (var start = 500; start < rows.Count; start += 100)
        {
            var removed = live.Keys.Where(_ => random.NextDouble() < 0.1).ToList();
            var added = rows.Skip(start).Take(100).ToList();
            index.Apply(removed, added);
            removed.ForEach(r => live.Remove(r));
            added.ForEach(r => live[r.RowId] = r.Vector);

            var target = live.ElementAt(random.Next(live.Count));
            var hits = index.Search(target.Value, 5, null);
            Assert.Equal(target.Key, hits[0].RowId); // a stored vector finds itself first
            Assert.All(hits, h => Assert.True(live.ContainsKey(h.RowId), $"removed row {h.RowId} returned"));
        }
        Assert.Equal(live.Count, index.Count);
        Assert.InRange(index.Segments, 1, DenseVectorIndex.MaxSegments);
    }

    [Fact]
    public void BytesPerVector_Quantized_IsAFractionOfExact()
    {
        var exact = new DenseVectorIndex(DenseSearchMode.Exact);
        var quantized = new DenseVectorIndex(DenseSearchMode.Quantized);
        exact.Load([(1, new float[1024])]);
        quantized.Load([(1, new float[1024])]);
        Assert.Equal((1024 * 4) + 8, exact.BytesPerVector);
        Assert.True(quantized.BytesPerVector < exact.BytesPerVector / 3, $"{quantized.BytesPerVector} bytes");
    }

    /// <summary>Vectors around shared cluster centres plus a common offset; queries are noisy copies of stored vectors.</summary>
    private static (List<(long RowId, float[] Vector)> Rows, List<float[]> Queries) Clustered(int dims, int count, int queries, int seed)
    {
        var random = new Random(seed);
        float[] Gaussian()
        {
            var v = new float[dims];
            for (var j = 0; j < dims; j++)
            {
                v[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) / Math.Sqrt(dims));
            }
            return v;
        }
        var common = Gaussian();
        var centres = Enumerable.Range(0, count / 50).Select(_ => Gaussian()).ToList();
        var rows = new List<(long, float[])>();
        for (var i = 0; i < count; i++)
        {
            var centre = centres[i % centres.Count];
            var noise = Gaussian();
            rows.Add((i + 1, Enumerable.Range(0, dims).Select(j => (0.6f * common[j]) + (0.8f * centre[j]) + (0.7f * noise[j])).ToArray()));
        }
        var qs = new List<float[]>();
        for (var n = 0; n < queries; n++)
        {
            var source = rows[random.Next(count)].Item2;
            var noise = Gaussian();
            qs.Add(source.Select((x, j) => x + (0.7f * noise[j])).ToArray());
        }
        return (rows, qs);
    }
}

public sealed class Int8DotTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(1024)]
    [InlineData(1027)]
    public void Dot_EqualsTheScalarSum_AtEveryLengthAndAtTheExtremes(int length)
    {
        var random = new Random(length);
        var a = new sbyte[length];
        var b = new sbyte[length];
        for (var i = 0; i < length; i++)
        {
            a[i] = (sbyte)random.Next(-127, 128);
            b[i] = (sbyte)random.Next(-127, 128);
        }
        Assert.Equal(a.Zip(b, (x, y) => x * y).Sum(), Int8Dot.Dot(a, b));
        var extremes = Enumerable.Repeat((sbyte)-127, length).ToArray();
        Assert.Equal(length * 127 * 127, Int8Dot.Dot(extremes, extremes));
    }
}
