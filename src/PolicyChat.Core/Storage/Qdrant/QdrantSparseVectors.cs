using System.Buffers;
using System.Text;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>Sparse vector with unique, ascending indices, as Qdrant expects.</summary>
public readonly record struct QdrantSparseVector(uint[] Indices, float[] Values)
{
    public int Count => Indices.Length;
}

/// <summary>
/// Builds the sparse vectors of the "bm25" and "ngram" legs.
/// Term ids are 32-bit FNV-1a hashes (offset basis 2166136261, prime 16777619) of the term's UTF-8 bytes: stable across
/// processes, machines and .NET versions (unlike <see cref="string.GetHashCode()"/>). Two distinct terms that collide
/// share one index and their weights are summed, because Qdrant requires unique indices.
/// Documents carry BM25 term-frequency weights tf·(k1+1)/(tf+k1·(1−b+b·len/avgLen)) with k1 = 1.2 and b = 0.75;
/// Qdrant's <c>modifier: idf</c> multiplies in the IDF at query time. Queries carry weight 1 per distinct term.
/// </summary>
public static class QdrantSparseVectors
{
    public const double K1 = 1.2;
    public const double B = 0.75;

    private const uint FnvOffsetBasis = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>32-bit FNV-1a over the UTF-8 bytes of <paramref name="term"/>.</summary>
    public static uint TermId(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var max = Encoding.UTF8.GetMaxByteCount(term.Length);
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(term, buffer);
            var hash = FnvOffsetBasis;
            foreach (var b in buffer[..length])
            {
                hash = unchecked((hash ^ b) * FnvPrime);
            }
            return hash;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>BM25 term-frequency weight of a term occurring <paramref name="tf"/> times in a chunk of <paramref name="length"/> terms.</summary>
    public static double Bm25Weight(int tf, int length, double averageLength)
    {
        var norm = averageLength > 0 ? length / averageLength : 1.0;
        return tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * norm))));
    }

    /// <summary>Document-side vector: one BM25 tf weight per distinct term.</summary>
    public static QdrantSparseVector ForDocument(IReadOnlyList<string> terms, double averageLength)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0)
        {
            return new QdrantSparseVector([], []);
        }
        var counts = new Dictionary<string, int>(terms.Count, StringComparer.Ordinal);
        foreach (var term in terms)
        {
            counts[term] = counts.GetValueOrDefault(term) + 1;
        }
        var indices = new uint[counts.Count];
        var values = new float[counts.Count];
        var i = 0;
        foreach (var (term, tf) in counts)
        {
            indices[i] = TermId(term);
            values[i] = (float)Bm25Weight(tf, terms.Count, averageLength);
            i++;
        }
        return SortAndMerge(indices, values);
    }

    /// <summary>Query-side vector: weight 1 per distinct term (colliding terms sum).</summary>
    public static QdrantSparseVector ForQuery(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var distinct = new HashSet<string>(terms, StringComparer.Ordinal);
        var indices = new uint[distinct.Count];
        var values = new float[distinct.Count];
        var i = 0;
        foreach (var term in distinct)
        {
            indices[i] = TermId(term);
            values[i] = 1f;
            i++;
        }
        return SortAndMerge(indices, values);
    }

    private static QdrantSparseVector SortAndMerge(uint[] indices, float[] values)
    {
        Array.Sort(indices, values);
        var write = 0;
        for (var read = 0; read < indices.Length; read++)
        {
            if (write > 0 && indices[write - 1] == indices[read])
            {
                values[write - 1] += values[read];
            }
            else
            {
                indices[write] = indices[read];
                values[write] = values[read];
                write++;
            }
        }
        return write == indices.Length
            ? new QdrantSparseVector(indices, values)
            : new QdrantSparseVector(indices[..write], values[..write]);
    }
}
