using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

/// <summary>
/// How much of a question the collection covers: for each of the top passages, the IDF-weighted share of the
/// question's distinct terms that occur in the passage (or its title); the best passage's share is the evidence.
/// 0 = none of the question's content words occur; 1 = all of them do. Rare terms weigh more, so a question about
/// an absent subject scores low even when common words match. Below the calibrated threshold the service abstains.
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
        var passageTerms = hits.Take(TopPassages)
            .Select(h => new HashSet<string>(analyzer.Terms(h.Title).Concat(analyzer.Terms(h.Text)), StringComparer.Ordinal))
            .ToList();
        foreach (var query in queries)
        {
            var terms = analyzer.Terms(query).Distinct(StringComparer.Ordinal).ToList();
            if (terms.Count == 0)
            {
                continue;
            }
            var stats = store is ITermStatisticsSource source
                ? await source.GetTermStatisticsAsync(terms, cancellationToken)
                : TermStatistics.Empty;
            best = Math.Max(best, Score(terms, passageTerms, stats));
        }
        return best;
    }

    internal static double Score(IReadOnlyList<string> queryTerms, IReadOnlyList<HashSet<string>> passages, TermStatistics stats)
    {
        var total = queryTerms.Sum(stats.Idf);
        if (total <= 0)
        {
            return 0;
        }
        return passages.Select(p => queryTerms.Where(p.Contains).Sum(stats.Idf) / total).DefaultIfEmpty(0).Max();
    }
}
