namespace PolicyChat.Core.Text;

/// <summary>
/// A heavier Arabic stemmer than the index's Light10 (<see cref="ArabicLightStemmer"/>), used only to match a question's
/// words to a quoted sentence's words in extractive answers (never for the index itself). It strips a conjunction (و ف) and a preposition (ب ك ل) before a word without the article, and up to two suffixes from
/// a longer list that includes the pronoun clitics Light10 keeps (هم هما هن كم كما نا ك) and the verb endings
/// وا ت و: so "كمستشار" / "مستشاره", "هزمهم" / "هزم" and "معلمو" / "معلمي" meet. At least three letters always remain.
/// It is crude by design (a leading ب ك ل is taken for a preposition: كتاب and تاب meet), so the scorer gives such a
/// match less than full credit. Works on normalized words; words of other scripts come back unchanged.
/// </summary>
internal static class ArabicMatchStemmer
{
    private const int MinStem = 3;

    private static readonly string[] s_articles = ["\u0648\u0627\u0644", "\u0641\u0627\u0644", "\u0628\u0627\u0644", "\u0643\u0627\u0644", "\u0644\u0644", "\u0627\u0644"];

    // هما كما هم هن كم نا ها ات ان ون ين وا يه ه ي ك ت و — longest first, one per round, two rounds.
    private static readonly string[] s_suffixes =
    [
        "\u0647\u0645\u0627", "\u0643\u0645\u0627", "\u0647\u0645", "\u0647\u0646", "\u0643\u0645",
        "\u0646\u0627", "\u0647\u0627", "\u0627\u062A", "\u0627\u0646", "\u0648\u0646", "\u064A\u0646", "\u0648\u0627", "\u064A\u0647",
        "\u0647", "\u064A", "\u0643", "\u062A", "\u0648",
    ];

    /// <summary>The match stem of one normalized word; the word itself when it is not Arabic or too short to strip.</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (!IsArabic(word))
        {
            return word;
        }
        var stem = word.AsSpan();
        if (stem.Length > MinStem + 1 && stem[0] is '\u0648' or '\u0641')
        {
            stem = stem[1..];
        }
        var stripped = false;
        foreach (var article in s_articles)
        {
            if (stem.Length - article.Length >= MinStem && stem.StartsWith(article, StringComparison.Ordinal))
            {
                stem = stem[article.Length..];
                stripped = true;
                break;
            }
        }
        if (!stripped && stem.Length > MinStem + 1 && stem[0] is '\u0628' or '\u0643' or '\u0644')
        {
            stem = stem[1..];
        }
        for (var round = 0; round < 2; round++)
        {
            foreach (var suffix in s_suffixes)
            {
                if (stem.Length - suffix.Length >= MinStem && stem.EndsWith(suffix, StringComparison.Ordinal))
                {
                    stem = stem[..^suffix.Length];
                    break;
                }
            }
        }
        return stem.Length == word.Length ? word : stem.ToString();
    }

    /// <summary>True when the normalized word starts with an Arabic letter (ء…ي).</summary>
    public static bool IsArabic(string word) => word.Length > 0 && word[0] is >= '\u0621' and <= '\u064A';
}
