using System.Runtime.InteropServices;
using System.Text;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>Sparse vector with unique indices, as Qdrant expects (document vectors keep first-occurrence order, query vectors are ascending).</summary>
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

    /// <summary>32-bit FNV-1a over the UTF-8 bytes of <paramref name="term"/> (lone surrogates hash as U+FFFD, as <see cref="Encoding.UTF8"/> encodes them).</summary>
    public static uint TermId(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var maxBytes = Encoding.UTF8.GetMaxByteCount(term.Length);
        Span<byte> utf8 = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var hash = FnvOffsetBasis;
        foreach (var b in utf8[..Encoding.UTF8.GetBytes(term, utf8)])
        {
            hash = unchecked((hash ^ b) * FnvPrime);
        }
        return hash;
    }

    /// <summary>BM25 term-frequency weight of a term occurring <paramref name="tf"/> times in a chunk of <paramref name="length"/> terms.</summary>
    public static double Bm25Weight(int tf, int length, double averageLength)
    {
        var norm = averageLength > 0 ? length / averageLength : 1.0;
        return tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * norm))));
    }

    /// <summary>Document-side vector: one BM25 tf weight per distinct term, in first-occurrence order; colliding distinct terms sum their weights.</summary>
    public static QdrantSparseVector ForDocument(IReadOnlyList<string> terms, double averageLength)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var tf = new Dictionary<string, int>(terms.Count, StringComparer.Ordinal);
        foreach (var term in terms)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(tf, term, out _)++;
        }
        return Merge(tf.Select(t => (t.Key, Bm25Weight(t.Value, terms.Count, averageLength))));
    }

    /// <summary>Query-side vector: weight 1 per distinct term (colliding terms sum), indices ascending.</summary>
    public static QdrantSparseVector ForQuery(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var vector = Merge(terms.Distinct(StringComparer.Ordinal).Select(t => (t, 1.0)));
        Array.Sort(vector.Indices, vector.Values);
        return vector;
    }

    /// <summary>One index per term id in first-seen order; distinct terms with the same id (a hash collision) add up, as Qdrant requires unique indices.</summary>
    private static QdrantSparseVector Merge(IEnumerable<(string Term, double Weight)> terms)
    {
        var weights = new Dictionary<uint, double>();
        foreach (var (term, weight) in terms)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(weights, TermId(term), out _) += weight;
        }
        return new QdrantSparseVector([.. weights.Keys], [.. weights.Values.Select(w => (float)w)]);
    }
}
