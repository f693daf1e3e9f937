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

    /// <summary>32-bit FNV-1a over the UTF-8 bytes of <paramref name="term"/> (lone surrogates hash as U+FFFD, like <see cref="Encoding.UTF8"/>).</summary>
    public static uint TermId(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var hash = FnvOffsetBasis;
        for (var i = 0; i < term.Length; i++)
        {
            int c = term[i];
            if (c < 0x80)
            {
                hash = unchecked((hash ^ (uint)c) * FnvPrime);
            }
            else if (c < 0x800)
            {
                hash = unchecked((hash ^ (uint)(0xC0 | (c >> 6))) * FnvPrime);
                hash = unchecked((hash ^ (uint)(0x80 | (c & 0x3F))) * FnvPrime);
            }
            else if (char.IsHighSurrogate((char)c) && i + 1 < term.Length && char.IsLowSurrogate(term[i + 1]))
            {
                var cp = char.ConvertToUtf32((char)c, term[++i]);
                hash = unchecked((hash ^ (uint)(0xF0 | (cp >> 18))) * FnvPrime);
                hash = unchecked((hash ^ (uint)(0x80 | ((cp >> 12) & 0x3F))) * FnvPrime);
                hash = unchecked((hash ^ (uint)(0x80 | ((cp >> 6) & 0x3F))) * FnvPrime);
                hash = unchecked((hash ^ (uint)(0x80 | (cp & 0x3F))) * FnvPrime);
            }
            else
            {
                if (char.IsSurrogate((char)c))
                {
                    c = 0xFFFD;
                }
                hash = unchecked((hash ^ (uint)(0xE0 | (c >> 12))) * FnvPrime);
                hash = unchecked((hash ^ (uint)(0x80 | ((c >> 6) & 0x3F))) * FnvPrime);
                hash = unchecked((hash ^ (uint)(0x80 | (c & 0x3F))) * FnvPrime);
            }
        }
        return hash;
    }

    /// <summary>BM25 term-frequency weight of a term occurring <paramref name="tf"/> times in a chunk of <paramref name="length"/> terms.</summary>
    public static double Bm25Weight(int tf, int length, double averageLength)
    {
        var norm = averageLength > 0 ? length / averageLength : 1.0;
        return tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * norm))));
    }

    /// <summary>Document-side vector: one BM25 tf weight per distinct term; colliding distinct terms sum their weights.</summary>
    public static QdrantSparseVector ForDocument(IReadOnlyList<string> terms, double averageLength)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0)
        {
            return new QdrantSparseVector([], []);
        }
        // Counting by id (cheap uint hashing) and comparing the stored term detects the rare true collision.
        var counts = new Dictionary<uint, TermCount>(terms.Count);
        Dictionary<string, int>? collided = null;
        foreach (var term in terms)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, TermId(term), out var exists);
            if (!exists)
            {
                entry = new TermCount(term, 1);
            }
            else if (string.Equals(entry.Term, term, StringComparison.Ordinal))
            {
                entry.Tf++;
            }
            else
            {
                collided ??= new Dictionary<string, int>(StringComparer.Ordinal);
                collided[term] = collided.GetValueOrDefault(term) + 1;
            }
        }
        // Insertion order (first occurrence) is deterministic; Qdrant does not need sorted indices.
        var indices = new uint[counts.Count];
        var values = new float[counts.Count];
        var i = 0;
        foreach (var (id, count) in counts)
        {
            var weight = Bm25Weight(count.Tf, terms.Count, averageLength);
            if (collided is not null)
            {
                foreach (var (other, tf) in collided)
                {
                    if (TermId(other) == id)
                    {
                        weight += Bm25Weight(tf, terms.Count, averageLength);
                    }
                }
            }
            indices[i] = id;
            values[i] = (float)weight;
            i++;
        }
        return new QdrantSparseVector(indices, values);
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

    private struct TermCount(string term, int tf)
    {
        public string Term = term;
        public int Tf = tf;
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
