using System.Numerics;
using System.Numerics.Tensors;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>How the embedded store searches vectors.</summary>
public enum DenseSearchMode
{
    /// <summary>1-bit codes scanned by Hamming distance, the best candidates rescored from int8 codes (about 1.2 KB per 1,024-dim vector).</summary>
    Quantized,

    /// <summary>Every vector kept as floats (4 KB per 1,024-dim vector) and scored exactly.</summary>
    Exact,
}

/// <summary>
/// Cosine search over all stored vectors, L2-normalized. <see cref="DenseSearchMode.Exact"/> keeps row-major float
/// matrices scored with SIMD (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>).
/// <see cref="DenseSearchMode.Quantized"/> keeps, per vector, one bit per dimension (the sign of the vector minus the
/// collection's mean, which the first load fixes) and int8 codes with a per-vector scale: a search ranks every row by
/// Hamming distance (popcount), then rescores the <c>oversample × limit</c> nearest by an int8 dot product (the query
/// quantized the same way; <see cref="Int8Dot"/>), cosine within about 0.005 of exact.
/// <para>
/// Loaded once from the chunks table, then kept in step with every committed write instead of being reloaded: a write
/// appends a segment with its new vectors and marks its removed rows deleted in the segments that hold them. When
/// segments or deleted rows pile up, the live rows are copied into one segment, in memory. Readers take an immutable
/// snapshot, so searches never wait for a write. <see cref="Load"/> and <see cref="Apply"/> are called under the store's
/// write lock.
/// </para>
/// </summary>
internal sealed class DenseVectorIndex(DenseSearchMode mode = DenseSearchMode.Exact, int oversample = 20)
{
    /// <summary>More segments than this, or more deleted than a quarter of the live rows, and the segments are merged.</summary>
    internal const int MaxSegments = 16;

    /// <summary>Fewest candidates a quantized search rescores.</summary>
    internal const int MinCandidates = 200;

    private volatile Snapshot _snapshot = Snapshot.Empty;

    public DenseSearchMode Mode { get; } = mode;

    /// <summary>Vectors searchable now.</summary>
    public int Count => _snapshot.Live;

    public int Dimensions => _snapshot.Dimensions;

    /// <summary>Segments in the current snapshot (for tests of merging).</summary>
    internal int Segments => _snapshot.Segments.Count;

    /// <summary>Bytes held per vector (codes and rowid; the float matrix in exact mode).</summary>
    public int BytesPerVector => Mode == DenseSearchMode.Exact
        ? (Dimensions * sizeof(float)) + sizeof(long)
        : Dimensions + (Words(Dimensions) * sizeof(ulong)) + sizeof(float) + sizeof(long);

    /// <summary>Replaces everything with <paramref name="rows"/> (the chunks table, in rowid order).</summary>
    public void Load(IReadOnlyList<(long RowId, float[] Vector)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var dims = rows.Count == 0 ? 0 : rows[0].Vector.Length;
        var mean = Mode == DenseSearchMode.Quantized ? Mean(rows, dims) : [];
        var segment = Segment.Create(rows, dims, Mode, mean);
        _snapshot = segment.Count == 0 ? Snapshot.Empty : new Snapshot([segment], dims, segment.Count, 0, mean);
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
        var empty = current.Dimensions == 0;
        var dims = empty && added.Count > 0 ? added[0].Vector.Length : current.Dimensions;
        var mean = empty && Mode == DenseSearchMode.Quantized ? Mean(added, dims) : current.Mean;
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
        var appended = Segment.Create(added, dims, Mode, mean);
        if (appended.Count > 0)
        {
            segments.Add(appended);
            live += appended.Count;
        }
        var next = new Snapshot(segments, dims, live, deleted, mean);
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
        return Mode == DenseSearchMode.Exact ? SearchExact(snapshot, q, limit, allowed) : SearchQuantized(snapshot, q, limit, allowed);
    }

    private static List<(long RowId, double Score)> SearchExact(Snapshot snapshot, float[] q, int limit, IReadOnlySet<long>? allowed)
    {
        var top = new PriorityQueue<long, float>(limit + 1);
        var dims = snapshot.Dimensions;
        foreach (var segment in snapshot.Segments)
        {
            var matrix = segment.Matrix.AsSpan();
            var checkDeleted = segment.Deleted.Count > 0;
            for (var i = 0; i < segment.Count; i++)
            {
                var rowId = segment.RowIds[i];
                if ((checkDeleted && segment.Deleted.Contains(rowId)) || (allowed is not null && !allowed.Contains(rowId)))
                {
                    continue;
                }
                Offer(top, limit, rowId, TensorPrimitives.Dot(q, matrix.Slice(i * dims, dims)));
            }
        }
        return Drain(top);
    }

    private List<(long RowId, double Score)> SearchQuantized(Snapshot snapshot, float[] q, int limit, IReadOnlySet<long>? allowed)
    {
        var dims = snapshot.Dimensions;
        var words = Words(dims);
        var queryBits = new ulong[words];
        SignBits(q, snapshot.Mean, queryBits);
        var candidates = (int)Math.Min(int.MaxValue, Math.Max(MinCandidates, (long)limit * oversample));

        // 1. Hamming distance on the sign bits: keep the nearest `candidates` (max-heap by distance).
        var nearest = new PriorityQueue<(int Segment, int Row), int>(candidates + 1, Comparer<int>.Create((a, b) => b.CompareTo(a)));
        var worst = int.MaxValue;
        var querySpan = queryBits.AsSpan();
        for (var s = 0; s < snapshot.Segments.Count; s++)
        {
            var segment = snapshot.Segments[s];
            var bits = segment.Bits.AsSpan();
            var checkDeleted = segment.Deleted.Count > 0;
            for (var i = 0; i < segment.Count; i++)
            {
                var distance = Hamming(querySpan, bits.Slice(i * words, words));
                if (nearest.Count >= candidates && distance >= worst)
                {
                    continue;
                }
                var rowId = segment.RowIds[i];
                if ((checkDeleted && segment.Deleted.Contains(rowId)) || (allowed is not null && !allowed.Contains(rowId)))
                {
                    continue;
                }
                if (nearest.Count < candidates)
                {
                    nearest.Enqueue((s, i), distance);
                }
                else
                {
                    nearest.DequeueEnqueue((s, i), distance);
                }
                if (nearest.Count >= candidates)
                {
                    nearest.TryPeek(out _, out worst);
                }
            }
        }

        // 2. Rescore the candidates: int8 query · int8 codes × both scales.
        var top = new PriorityQueue<long, float>(limit + 1);
        var queryCodes = new sbyte[dims];
        var queryScale = Quantize(q, queryCodes);
        while (nearest.TryDequeue(out var candidate, out _))
        {
            var segment = snapshot.Segments[candidate.Segment];
            var dot = Int8Dot.Dot(queryCodes, segment.Codes.AsSpan(candidate.Row * dims, dims));
            Offer(top, limit, segment.RowIds[candidate.Row], dot * queryScale * segment.Scales[candidate.Row]);
        }
        return Drain(top);
    }

    private static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        var distance = 0;
        for (var w = 0; w < a.Length; w++)
        {
            distance += BitOperations.PopCount(a[w] ^ b[w]);
        }
        return distance;
    }

    private static void Offer(PriorityQueue<long, float> top, int limit, long rowId, float score)
    {
        if (top.Count < limit)
        {
            top.Enqueue(rowId, score);
        }
        else if (top.TryPeek(out _, out var worst) && score > worst)
        {
            top.DequeueEnqueue(rowId, score);
        }
    }

    private static List<(long RowId, double Score)> Drain(PriorityQueue<long, float> top)
    {
        var result = new List<(long, double)>(top.Count);
        while (top.TryDequeue(out var id, out var s))
        {
            result.Add((id, s));
        }
        result.Reverse();
        return result;
    }

    /// <summary>Symmetric int8 codes of <paramref name="vector"/>; returns the scale (value = code × scale).</summary>
    private static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(vector)); // MaxMagnitude keeps the sign
        var scale = max > 0 ? max / 127f : 1f;
        for (var j = 0; j < vector.Length; j++)
        {
            codes[j] = (sbyte)Math.Clamp(MathF.Round(vector[j] / scale), -127, 127);
        }
        return scale;
    }

    private static int Words(int dims) => (dims + 63) / 64;

    private static void SignBits(ReadOnlySpan<float> vector, float[] mean, Span<ulong> bits)
    {
        bits.Clear();
        for (var j = 0; j < vector.Length; j++)
        {
            if (vector[j] > (mean.Length > 0 ? mean[j] : 0f))
            {
                bits[j >> 6] |= 1UL << (j & 63);
            }
        }
    }

    /// <summary>The mean of the normalized vectors of dimension <paramref name="dims"/> (the centre the sign bits are taken around).</summary>
    private static float[] Mean(IReadOnlyList<(long RowId, float[] Vector)> rows, int dims)
    {
        var mean = new float[dims];
        var count = 0;
        foreach (var (_, vector) in rows)
        {
            if (dims > 0 && vector.Length == dims)
            {
                var norm = TensorPrimitives.Norm(vector);
                if (norm > 0)
                {
                    TensorPrimitives.MultiplyAdd(vector, 1f / norm, mean, mean);
                    count++;
                }
            }
        }
        if (count > 0)
        {
            TensorPrimitives.Divide(mean, count, mean);
        }
        return mean;
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

    /// <summary>Immutable: the segments, their dimension, live rows, rows marked deleted and the quantization centre.</summary>
    private sealed record Snapshot(IReadOnlyList<Segment> Segments, int Dimensions, int Live, int Deleted, float[] Mean)
    {
        public static Snapshot Empty { get; } = new([], 0, 0, 0, []);

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
            if (rows.Count == 0)
            {
                return Empty;
            }
            var merged = Segment.Allocate(rows.Count, Dimensions, quantized: Segments[0].Matrix.Length == 0);
            for (var n = 0; n < rows.Count; n++)
            {
                var (rowId, segment, i) = rows[n];
                segment.CopyRow(i, merged, n, Dimensions);
                merged.RowIds[n] = rowId;
            }
            return new Snapshot([merged], Dimensions, rows.Count, 0, Mean);
        }
    }

    /// <summary>
    /// Immutable rows (sorted by rowid, so membership is a binary search) and the ones deleted since: a float matrix
    /// (exact mode) or sign bits, int8 codes and scales (quantized mode).
    /// </summary>
    private sealed record Segment(long[] RowIds, float[] Matrix, ulong[] Bits, sbyte[] Codes, float[] Scales, int Count, IReadOnlySet<long> Deleted)
    {
        public int Live => Count - Deleted.Count;

        public static Segment Allocate(int count, int dims, bool quantized) => quantized
            ? new Segment(new long[count], [], new ulong[(long)count * Words(dims)], new sbyte[(long)count * dims], new float[count], count, new HashSet<long>())
            : new Segment(new long[count], new float[(long)count * dims], [], [], [], count, new HashSet<long>());

        public static Segment Create(IReadOnlyList<(long RowId, float[] Vector)> rows, int dims, DenseSearchMode mode, float[] mean)
        {
            var accepted = rows.Where(r => dims > 0 && r.Vector.Length == dims).OrderBy(r => r.RowId).ToList();
            var segment = Allocate(accepted.Count, dims, mode == DenseSearchMode.Quantized);
            var words = Words(dims);
            for (var i = 0; i < accepted.Count; i++)
            {
                segment.RowIds[i] = accepted[i].RowId;
                var vector = Normalized(accepted[i].Vector);
                if (mode == DenseSearchMode.Exact)
                {
                    vector.CopyTo(segment.Matrix.AsSpan(i * dims, dims));
                    continue;
                }
                SignBits(vector, mean, segment.Bits.AsSpan(i * words, words));
                segment.Scales[i] = Quantize(vector, segment.Codes.AsSpan(i * dims, dims));
            }
            return segment;
        }

        public void CopyRow(int from, Segment target, int to, int dims)
        {
            if (Matrix.Length > 0)
            {
                Matrix.AsSpan(from * dims, dims).CopyTo(target.Matrix.AsSpan(to * dims, dims));
                return;
            }
            var words = Words(dims);
            Bits.AsSpan(from * words, words).CopyTo(target.Bits.AsSpan(to * words, words));
            Codes.AsSpan(from * dims, dims).CopyTo(target.Codes.AsSpan(to * dims, dims));
            target.Scales[to] = Scales[from];
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
