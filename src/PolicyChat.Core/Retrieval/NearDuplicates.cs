using System.Globalization;
using System.Runtime.InteropServices;
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
        var kept = new List<(ChunkHit Hit, long[] Shingles)>(hits.Count);
        foreach (var hit in hits)
        {
            var shingles = Shingles(hit.Text);
            var duplicate = false;
            foreach (var (_, other) in kept)
            {
                if (Jaccard(other, shingles, threshold) >= threshold)
                {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate)
            {
                kept.Add((hit, shingles));
            }
        }
        return kept.Count == hits.Count ? hits : kept.Select(k => k.Hit).ToList();
    }

    /// <summary>Hashes of adjacent word pairs (a single word's hash when the text has one word), sorted and distinct.</summary>
    internal static long[] Shingles(string text)
    {
        var hashes = new List<long>(Math.Max(4, text.Length / 5));
        Span<char> word = stackalloc char[64];
        var length = 0;
        long previous = 0;
        var words = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (c < 0x80)
            {
                // ASCII: letters and digits fold to lower case; everything else ends a word.
                if (char.IsAsciiLetterOrDigit(c))
                {
                    if (length < word.Length)
                    {
                        word[length++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                    }
                    continue;
                }
            }
            else
            {
                var category = char.GetUnicodeCategory(c);
                if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format || c == '\u0640')
                {
                    continue; // tashkeel, joiners, tatweel: not part of the word's identity
                }
                // char.IsLetterOrDigit, from the category already read; only upper and title case letters change when lowered.
                if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber)
                {
                    if (length < word.Length)
                    {
                        word[length++] = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter ? char.ToLowerInvariant(c) : c;
                    }
                    continue;
                }
            }
            if (length == 0)
            {
                continue;
            }
            long hash = string.GetHashCode(word[..length]);
            length = 0;
            if (words++ > 0)
            {
                hashes.Add((previous * 1_000_003) ^ hash);
            }
            previous = hash;
        }
        if (words == 1)
        {
            hashes.Add(previous);
        }
        var span = CollectionsMarshal.AsSpan(hashes);
        span.Sort();
        var distinct = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (i == 0 || span[i] != span[distinct - 1])
            {
                span[distinct++] = span[i];
            }
        }
        return span[..distinct].ToArray();
    }

    /// <summary>
    /// Jaccard similarity of two sorted distinct sets. When <paramref name="threshold"/> is given, a result below it may be
    /// any value below it: the walk stops once the threshold is out of reach.
    /// </summary>
    internal static double Jaccard(ReadOnlySpan<long> a, ReadOnlySpan<long> b, double threshold = 0)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }
        // J ≥ t needs an intersection of at least t·(|a| + |b|) / (1 + t); J ≤ min/max bounds it from the start.
        var needed = threshold > 0 ? (int)Math.Ceiling(threshold * (a.Length + b.Length) / (1 + threshold)) : 0;
        if (needed > Math.Min(a.Length, b.Length))
        {
            return 0;
        }
        int i = 0, j = 0, intersection = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                intersection++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
            if (needed > 0 && intersection + Math.Min(a.Length - i, b.Length - j) < needed)
            {
                return 0;
            }
        }
        return intersection / (double)(a.Length + b.Length - intersection);
    }
}
