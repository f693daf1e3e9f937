using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

/// <summary>
/// Collapses near-identical passages (syndicated copies of one article, repeated boilerplate): a hit whose word-shingle
/// set has Jaccard similarity ≥ threshold with a better-ranked hit is dropped.
/// </summary>
public static class NearDuplicates
{
    public const double DefaultThreshold = 0.8;

    public static IReadOnlyList<ChunkHit> Collapse(IReadOnlyList<ChunkHit> hits, TextAnalyzer analyzer, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(analyzer);
        if (hits.Count < 2)
        {
            return hits;
        }
        var kept = new List<(ChunkHit Hit, HashSet<string> Shingles)>(hits.Count);
        foreach (var hit in hits)
        {
            var shingles = Shingles(analyzer.Terms(hit.Text));
            if (!kept.Any(k => Jaccard(k.Shingles, shingles) >= threshold))
            {
                kept.Add((hit, shingles));
            }
        }
        return kept.Count == hits.Count ? hits : kept.Select(k => k.Hit).ToList();
    }

    internal static HashSet<string> Shingles(IReadOnlyList<string> terms)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (terms.Count < 2)
        {
            set.UnionWith(terms);
            return set;
        }
        for (var i = 0; i + 1 < terms.Count; i++)
        {
            set.Add(terms[i] + " " + terms[i + 1]);
        }
        return set;
    }

    internal static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }
        var intersection = a.Count < b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return intersection / (double)(a.Count + b.Count - intersection);
    }
}
