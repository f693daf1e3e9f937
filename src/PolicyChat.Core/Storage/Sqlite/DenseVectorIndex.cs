using System.Numerics.Tensors;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// Exact cosine search over all stored vectors, held in one contiguous L2-normalized matrix and scored with SIMD
/// (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>). Rebuilt lazily after writes.
/// Exact search is fast enough for an embedded index (100k × 1024 floats ≈ 400 MB, ~20 ms per query on 2 cores);
/// larger collections belong in Qdrant.
/// </summary>
internal sealed class DenseVectorIndex(Func<List<(long RowId, float[] Vector)>> load)
{
    private readonly Lock _gate = new();
    private Snapshot? _snapshot;

    public void Invalidate()
    {
        lock (_gate)
        {
            _snapshot = null;
        }
    }

    /// <summary>Builds the matrix now when a write invalidated it; returns the number of vectors.</summary>
    public int Warm() => GetSnapshot().Count;

    public IReadOnlyList<(long RowId, double Score)> Search(float[] query, int limit, IReadOnlySet<long>? allowed)
    {
        var snapshot = GetSnapshot();
        if (snapshot.Count == 0 || limit <= 0)
        {
            return [];
        }
        if (query.Length != snapshot.Dimensions)
        {
            throw new InvalidOperationException(
                $"The query vector has {query.Length} dimensions but the index holds {snapshot.Dimensions}-dimensional vectors; re-index with the configured embedding model.");
        }
        var q = Normalized(query);
        var top = new PriorityQueue<long, float>(limit + 1);
        var matrix = snapshot.Matrix.AsSpan();
        for (var i = 0; i < snapshot.Count; i++)
        {
            var rowId = snapshot.RowIds[i];
            if (allowed is not null && !allowed.Contains(rowId))
            {
                continue;
            }
            var score = TensorPrimitives.Dot(q, matrix.Slice(i * snapshot.Dimensions, snapshot.Dimensions));
            if (top.Count < limit)
            {
                top.Enqueue(rowId, score);
            }
            else if (top.TryPeek(out _, out var worst) && score > worst)
            {
                top.DequeueEnqueue(rowId, score);
            }
        }
        var result = new List<(long, double)>(top.Count);
        while (top.TryDequeue(out var id, out var s))
        {
            result.Add((id, s));
        }
        result.Reverse();
        return result;
    }

    private Snapshot GetSnapshot()
    {
        lock (_gate)
        {
            if (_snapshot is { } existing)
            {
                return existing;
            }
            var rows = load();
            var dims = rows.Count == 0 ? 0 : rows[0].Vector.Length;
            var matrix = new float[rows.Count * dims];
            var ids = new long[rows.Count];
            var n = 0;
            foreach (var (rowId, vector) in rows)
            {
                if (vector.Length != dims)
                {
                    continue;
                }
                Normalized(vector).CopyTo(matrix.AsSpan(n * dims, dims));
                ids[n++] = rowId;
            }
            _snapshot = new Snapshot(ids, matrix, n, dims);
            return _snapshot;
        }
    }

    private static float[] Normalized(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        var copy = vector.ToArray();
        if (norm > 0)
        {
            TensorPrimitives.Divide(copy, norm, copy);
        }
        return copy;
    }

    private sealed record Snapshot(long[] RowIds, float[] Matrix, int Count, int Dimensions);
}
