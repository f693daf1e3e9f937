using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

/// <summary>
/// How much of a question the collection covers: for each of the top passages, the IDF-weighted share of the
/// question's distinct terms that occur in the passage (or its title); the best passage's share is the evidence.
/// 0 = none of the question's content words occur; 1 = all of them do. Rare terms weigh more, so a question about
/// an absent subject scores low even when common words match. Below the calibrated threshold the service abstains.
/// <para>
/// A passage in another language than the question cannot share its ordinary words without a translation, so it is
/// also judged on the question's <see cref="CrossLanguageAnchors"/> alone: the IDF-weighted share of its Latin-script
/// names and numbers that the passage contains, counted only when the question names at least one such name. "When
/// was DeepSeek founded?" is covered by an Arabic passage that writes "DeepSeek"; "When was DeepSeek sold to
/// Google?" is not, unless the passage also names Google.
/// </para>
/// </summary>
public sealed class EvidenceScorer(TextAnalyzer analyzer)
{
    /// <summary>Passages inspected.</summary>
    public const int TopPassages = 3;

    public async Task<double> ScoreAsync(IReadOnlyList<string> queries, IReadOnlyList<ChunkHit> hits, IIndexStore store,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(hits);
        if (hits.Count == 0)
        {
            return 0;
        }
        var best = 0.0;
        var passages = hits.Take(TopPassages)
            .Select(h => new PassageTerms(
                new HashSet<string>(analyzer.Terms(h.Title).Concat(analyzer.Terms(h.Text)), StringComparer.Ordinal), h.Language))
            .ToList();
        foreach (var query in queries)
        {
            var terms = analyzer.Terms(query).Distinct(StringComparer.Ordinal).ToList();
            if (terms.Count == 0)
            {
                continue;
            }
            var language = LanguageDetector.Detect(query);
            // Anchors matter only against a passage in another language (the usual case has none).
            IReadOnlyList<CrossLanguageAnchors.Anchor> anchors = passages.Any(p => IsOtherLanguage(language, p.Language))
                ? CrossLanguageAnchors.Find(query, analyzer)
                : [];
            var stats = store is ITermStatisticsSource source
                ? await source.GetTermStatisticsAsync(anchors.Count == 0 ? terms : terms.Union(anchors.Select(a => a.Term), StringComparer.Ordinal).ToList(), cancellationToken)
                : TermStatistics.Empty;
            best = Math.Max(best, Score(terms, anchors, language, passages, stats));
        }
        return best;
    }

    internal readonly record struct PassageTerms(HashSet<string> Terms, string Language);

    internal static double Score(IReadOnlyList<string> queryTerms, IReadOnlyList<CrossLanguageAnchors.Anchor> anchors, string queryLanguage,
        IReadOnlyList<PassageTerms> passages, TermStatistics stats)
    {
        var best = 0.0;
        foreach (var passage in passages)
        {
            best = Math.Max(best, Coverage(queryTerms, passage.Terms, stats));
            if (IsOtherLanguage(queryLanguage, passage.Language) && anchors.Any(a => a.IsName))
            {
                best = Math.Max(best, Coverage(anchors.Select(a => a.Term).ToList(), passage.Terms, stats));
            }
        }
        return best;
    }

    /// <summary>The IDF-weighted share of <paramref name="terms"/> that <paramref name="passage"/> contains.</summary>
    internal static double Coverage(IReadOnlyList<string> terms, HashSet<string> passage, TermStatistics stats)
    {
        var total = terms.Sum(stats.Idf);
        return total <= 0 ? 0 : terms.Where(passage.Contains).Sum(stats.Idf) / total;
    }

    private static bool IsOtherLanguage(string queryLanguage, string passageLanguage) =>
        queryLanguage != Languages.Other && passageLanguage != Languages.Other && queryLanguage != passageLanguage;
}
