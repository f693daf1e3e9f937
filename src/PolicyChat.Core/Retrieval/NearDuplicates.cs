using System.Globalization;
using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Retrieval;

/// <summary>
/// Collapses near-identical passages (syndicated copies of one article, repeated boilerplate): a hit whose word-shingle
/// set has Jaccard similarity ≥ threshold with a better-ranked hit is dropped.
/// <para>
/// Shingles are pairs of adjacent words, folded cheaply (case, combining marks such as Arabic tashkeel, tatweel) and
/// hashed: copies are near-verbatim, so full analysis (stemming) adds nothing here and would cost more than the search.
/// </para>
/// </summary>
public static class NearDuplicates
{
    public const double DefaultThreshold = 0.8;

    public static IReadOnlyList<ChunkHit> Collapse(IReadOnlyList<ChunkHit> hits, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(hits);
        if (hits.Count < 2)
        {
            return hits;
        }
        var kept = new List<(ChunkHit Hit, HashSet<long> Shingles)>(hits.Count);
        foreach (var hit in hits)
        {
            var shingles = Shingles(hit.Text);
            if (!kept.Any(k => Jaccard(k.Shingles, shingles) >= threshold))
            {
                kept.Add((hit, shingles));
            }
        }
        return kept.Count == hits.Count ? hits : kept.Select(k => k.Hit).ToList();
    }

    /// <summary>Hashes of adjacent word pairs (a single word's hash when the text has one word).</summary>
    internal static HashSet<long> Shingles(string text)
    {
        var set = new HashSet<long>();
        Span<char> word = stackalloc char[64];
        var length = 0;
        long previous = 0;
        var words = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format || c == '\u0640')
            {
                continue; // tashkeel, joiners, tatweel: not part of the word's identity
            }
            if (char.IsLetterOrDigit(c))
            {
                if (length < word.Length)
                {
                    word[length++] = char.ToLowerInvariant(c);
                }
                continue;
            }
            if (length == 0)
            {
                continue;
            }
            long hash = string.GetHashCode(word[..length]);
            length = 0;
            if (words++ > 0)
            {
                set.Add((previous * 1_000_003) ^ hash);
            }
            previous = hash;
        }
        if (words == 1)
        {
            set.Add(previous);
        }
        return set;
    }

    internal static double Jaccard(HashSet<long> a, HashSet<long> b)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }
        var intersection = a.Count < b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return intersection / (double)(a.Count + b.Count - intersection);
    }
}
