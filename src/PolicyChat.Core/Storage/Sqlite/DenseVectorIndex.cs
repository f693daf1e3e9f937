using System.Numerics.Tensors;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// Exact cosine search over all stored vectors, held as L2-normalized row-major matrices and scored with SIMD
/// (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>). Exact search is fast enough for an
/// embedded index (100k × 1024 floats ≈ 400 MB); larger collections belong in Qdrant.
/// <para>
/// Loaded once from the chunks table, then kept in step with every committed write instead of being reloaded: a write
/// appends a segment with its new vectors and marks its removed rows deleted in the segments that hold them (a
/// rowid SQLite reuses for a new chunk is therefore live in the new segment and dead in the old one). When segments or
/// deleted rows pile up, the live rows are copied into one segment, in memory. Readers take an immutable snapshot, so
/// searches never wait for a write. <see cref="Load"/> and <see cref="Apply"/> are called under the store's write lock.
/// </para>
/// </summary>
internal sealed class DenseVectorIndex
{
    /// <summary>More segments than this, or more deleted than a quarter of the live rows, and the segments are merged.</summary>
    internal const int MaxSegments = 16;

    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Vectors searchable now.</summary>
    public int Count => _snapshot.Live;

    public int Dimensions => _snapshot.Dimensions;

    /// <summary>Segments in the current snapshot (for tests of merging).</summary>
    internal int Segments => _snapshot.Segments.Count;

    /// <summary>Replaces everything with <paramref name="rows"/> (the chunks table, in rowid order).</summary>
    public void Load(IReadOnlyList<(long RowId, float[] Vector)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var dims = rows.Count == 0 ? 0 : rows[0].Vector.Length;
        var segment = Segment.Create(rows, dims);
        _snapshot = segment.Count == 0 ? Snapshot.Empty : new Snapshot([segment], dims, segment.Count, 0);
    }

    /// <summary>
    /// Applies one committed write: <paramref name="removed"/> rowids (chunks deleted, with or without vectors), then
    /// <paramref name="added"/> rows. Vectors of another dimension than the index's are left out, as a load leaves them.
    /// </summary>
    public void Apply(IReadOnlyCollection<long> removed, IReadOnlyList<(long RowId, float[] Vector)> added)
    {
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(added);
        var current = _snapshot;
        var dims = current.Dimensions == 0 && added.Count > 0 ? added[0].Vector.Length : current.Dimensions;
        var segments = new List<Segment>(current.Segments.Count + 1);
        var live = current.Live;
        var deleted = current.Deleted;
        foreach (var segment in current.Segments)
        {
            var marked = segment.WithDeleted(removed, out var newlyDeleted);
            live -= newlyDeleted;
            deleted += newlyDeleted;
            if (marked.Live > 0)
            {
                segments.Add(marked);
            }
            else
            {
                deleted -= marked.Deleted.Count;
            }
        }
        var appended = Segment.Create(added, dims);
        if (appended.Count > 0)
        {
            segments.Add(appended);
            live += appended.Count;
        }
        var next = new Snapshot(segments, dims, live, deleted);
        if (segments.Count > MaxSegments || deleted > Math.Max(1024, live / 4))
        {
            next = next.Merged();
        }
        _snapshot = next.Live == 0 ? Snapshot.Empty : next;
    }

    public IReadOnlyList<(long RowId, double Score)> Search(float[] query, int limit, IReadOnlySet<long>? allowed)
    {
        ArgumentNullException.ThrowIfNull(query);
        var snapshot = _snapshot;
        if (snapshot.Live == 0 || limit <= 0)
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
        foreach (var segment in snapshot.Segments)
        {
            var matrix = segment.Matrix.AsSpan();
            var dims = snapshot.Dimensions;
            var checkDeleted = segment.Deleted.Count > 0;
            for (var i = 0; i < segment.Count; i++)
            {
                var rowId = segment.RowIds[i];
                if ((checkDeleted && segment.Deleted.Contains(rowId)) || (allowed is not null && !allowed.Contains(rowId)))
                {
                    continue;
                }
                var score = TensorPrimitives.Dot(q, matrix.Slice(i * dims, dims));
                if (top.Count < limit)
                {
                    top.Enqueue(rowId, score);
                }
                else if (top.TryPeek(out _, out var worst) && score > worst)
                {
                    top.DequeueEnqueue(rowId, score);
                }
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

    /// <summary>Immutable: the segments, their dimension, live rows and rows marked deleted.</summary>
    private sealed record Snapshot(IReadOnlyList<Segment> Segments, int Dimensions, int Live, int Deleted)
    {
        public static Snapshot Empty { get; } = new([], 0, 0, 0);

        /// <summary>The live rows of every segment copied into one, in rowid order.</summary>
        public Snapshot Merged()
        {
            var rows = new List<(long RowId, Segment Segment, int Index)>(Live);
            foreach (var segment in Segments)
            {
                for (var i = 0; i < segment.Count; i++)
                {
                    if (!segment.Deleted.Contains(segment.RowIds[i]))
                    {
                        rows.Add((segment.RowIds[i], segment, i));
                    }
                }
            }
            // New rowids exceed every live one, so the rows are normally in order already; sorting keeps that a guarantee.
            rows.Sort((a, b) => a.RowId.CompareTo(b.RowId));
            var ids = new long[rows.Count];
            var matrix = new float[(long)rows.Count * Dimensions];
            for (var n = 0; n < rows.Count; n++)
            {
                var (rowId, segment, i) = rows[n];
                segment.Matrix.AsSpan(i * Dimensions, Dimensions).CopyTo(matrix.AsSpan(n * Dimensions, Dimensions));
                ids[n] = rowId;
            }
            return rows.Count == 0 ? Empty : new Snapshot([new Segment(ids, matrix, rows.Count, new HashSet<long>())], Dimensions, rows.Count, 0);
        }
    }

    /// <summary>Immutable rows (sorted by rowid, so membership is a binary search) and the ones deleted since.</summary>
    private sealed record Segment(long[] RowIds, float[] Matrix, int Count, IReadOnlySet<long> Deleted)
    {
        public int Live => Count - Deleted.Count;

        public static Segment Create(IReadOnlyList<(long RowId, float[] Vector)> rows, int dims)
        {
            var accepted = rows.Where(r => dims > 0 && r.Vector.Length == dims).OrderBy(r => r.RowId).ToList();
            var ids = new long[accepted.Count];
            var matrix = new float[(long)accepted.Count * dims];
            for (var i = 0; i < accepted.Count; i++)
            {
                ids[i] = accepted[i].RowId;
                Normalized(accepted[i].Vector).CopyTo(matrix.AsSpan(i * dims, dims));
            }
            return new Segment(ids, matrix, accepted.Count, new HashSet<long>());
        }

        /// <summary>This segment with those of <paramref name="removed"/> it holds marked deleted (itself when none).</summary>
        public Segment WithDeleted(IReadOnlyCollection<long> removed, out int newlyDeleted)
        {
            HashSet<long>? deleted = null;
            foreach (var rowId in removed)
            {
                if (Array.BinarySearch(RowIds, 0, Count, rowId) >= 0 && !Deleted.Contains(rowId))
                {
                    deleted ??= new HashSet<long>(Deleted);
                    deleted.Add(rowId);
                }
            }
            newlyDeleted = deleted is null ? 0 : deleted.Count - Deleted.Count;
            return deleted is null ? this : this with { Deleted = deleted };
        }
    }
}
