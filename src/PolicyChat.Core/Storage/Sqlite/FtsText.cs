using System.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>Turns analyzed terms into FTS5 column text and MATCH expressions.</summary>
internal static class FtsText
{
    /// <summary>Distinct query terms searched per leg; longer queries keep their rarest terms (see SqliteIndexStore).</summary>
    public const int MaxQueryTerms = 64;

    /// <summary>Most postings (sum of the chosen terms' document frequencies) one leg of one query may visit.</summary>
    public const int PostingBudget = 20_000;

    /// <summary>Terms kept even beyond the posting budget (a query of common words still searches its rarest ones).</summary>
    public const int MinQueryTerms = 2;

    /// <summary>N-gram queries keep their rarest grams only (a question yields 100–200 grams).</summary>
    public const int MaxNGramQueryTerms = 64;

    public static string Join(IReadOnlyList<string> terms) => string.Join(' ', terms);

    /// <summary>"t1" OR "t2" ... over distinct terms, each quoted so FTS5 syntax characters are literal.</summary>
    public static string OrQuery(IReadOnlyList<string> terms)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var term in terms)
        {
            if (string.IsNullOrWhiteSpace(term) || !seen.Add(term))
            {
                continue;
            }
            if (sb.Length > 0)
            {
                sb.Append(" OR ");
            }
            sb.Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        return sb.ToString();
    }
}
