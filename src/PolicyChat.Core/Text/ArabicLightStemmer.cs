using System.Runtime.CompilerServices;

namespace PolicyChat.Core.Text;

/// <summary>
/// Arabic light stemmer in the spirit of Light10 (Larkey, Ballesteros and Connell, 2002/2007), working on
/// NORMALIZED text (so ة is already ه and ى is already ي). Pure and allocation-free: it returns a slice.
/// </summary>
internal static class ArabicLightStemmer
{
    // Definite article and its prefixed forms, longest first.
    private static readonly string[] s_articles = ["\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644", "\u0641\u0627\u0644", "\u0627\u0644", "\u0644\u0644"];

    // ها ان ات ون ين يه ه ي — Light10's order (two-letter suffixes first), each removed at most once.
    private static readonly string[] s_suffixes = ["\u0647\u0627", "\u0627\u0646", "\u0627\u062A", "\u0648\u0646", "\u064A\u0646", "\u064A\u0647", "\u0647", "\u064A"];

    private const char Waw = '\u0648';
    private const char Alef = '\u0627';
    private const char Hamza = '\u0621';
    private const char Yeh = '\u064A';

    /// <summary>
    /// 1. Leading و when at least <paramref name="minStemLength"/>+1 letters remain (Light10: word longer than 3).
    /// 2. One definite article (وال بال كال فال ال لل, longest first) when at least <paramref name="minStemLength"/> letters remain.
    /// 3. Suffixes ها ان ات ون ين يه ه ي in that order, each removed once when at least <paramref name="minStemLength"/>
    ///    letters remain (Light10: len(word) > len(suffix) + 1 for the default of 2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ReadOnlySpan<char> Stem(ReadOnlySpan<char> word, int minStemLength)
    {
        if (word.Length > minStemLength + 1 && word[0] == Waw)
        {
            word = word[1..];
        }

        word = StripArticle(word, minStemLength);

        var beforeSuffixes = word.Length;
        foreach (string suffix in s_suffixes)
        {
            if (word.Length - suffix.Length >= minStemLength && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                word = word[..^suffix.Length];
            }
        }

        // Beyond Light10, when no suffix applied: a word-final hamza (إنشاء → انشا, matching إنشائه → انشا) and the alef
        // of accusative tanween (مشروعًا → مشروع, common in "كم مشروعًا" questions), only on words of 5+ letters. An alef
        // after ي takes the ي too, as the suffix ي would have (روسيا → روس like الروسي and الروسية, تكنولوجيا → تكنولوج like
        // التكنولوجية, حاليًا → حال like الحالي). Changing this changes index terms: bump TextAnalyzer.Version.
        if (word.Length == beforeSuffixes && word.Length > minStemLength + 2 && (word[^1] == Hamza || word[^1] == Alef))
        {
            var alef = word[^1] == Alef;
            word = word[..^1];
            if (alef && word[^1] == Yeh)
            {
                word = word[..^1];
            }
        }
        return word;
    }

    /// <summary>Removes one leading definite article (longest form first) when at least <paramref name="minStemLength"/> letters remain.</summary>
    public static ReadOnlySpan<char> StripArticle(ReadOnlySpan<char> word, int minStemLength)
    {
        foreach (string article in s_articles)
        {
            if (word.Length - article.Length >= minStemLength && word.StartsWith(article, StringComparison.Ordinal))
            {
                return word[article.Length..];
            }
        }
        return word;
    }
}
