using PolicyChat.Core.Chunking;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

/// <summary>
/// A fourth ranking of the fused candidates: by their best sentence window. Questions usually paraphrase one or two
/// sentences of the passage that answers them, so the IDF-weighted share of the question's terms found inside one
/// window of two consecutive sentences separates a passage that answers from one that merely mentions the topic.
/// The ranking joins the others in reciprocal-rank fusion.
/// </summary>
internal static class SentenceEvidence
{
    public static IReadOnlyList<ChunkHit> Rank(IReadOnlyList<ChunkHit> candidates, IReadOnlyList<string> queryTerms, TermStatistics stats, TextAnalyzer analyzer)
    {
        var distinct = queryTerms.Distinct(StringComparer.Ordinal).ToList();
        var total = distinct.Sum(stats.Idf);
        if (total <= 0 || candidates.Count < 2)
        {
            return candidates;
        }
        var scored = new List<(ChunkHit Hit, double Score, int Order)>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            scored.Add((candidates[i], BestWindow(candidates[i].Text, distinct, total, stats, analyzer), i));
        }
        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Order).Select(s => s.Hit).ToList();
    }

    internal static double BestWindow(string text, IReadOnlyList<string> queryTerms, double totalIdf, TermStatistics stats, TextAnalyzer analyzer)
    {
        var sentences = SentenceBoundaries.Split(text);
        var sets = new HashSet<string>[sentences.Count];
        for (var i = 0; i < sentences.Count; i++)
        {
            sets[i] = new HashSet<string>(analyzer.Terms(text[sentences[i].Start..sentences[i].End]), StringComparer.Ordinal);
        }
        var best = 0.0;
        for (var i = 0; i < sets.Length; i++)
        {
            var next = i + 1 < sets.Length ? sets[i + 1] : null;
            var score = 0.0;
            foreach (var term in queryTerms)
            {
                if (sets[i].Contains(term) || (next is not null && next.Contains(term)))
                {
                    score += stats.Idf(term);
                }
            }
            best = Math.Max(best, score / totalIdf);
        }
        return best;
    }
}
