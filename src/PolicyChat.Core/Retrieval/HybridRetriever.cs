using System.Diagnostics;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

public sealed record RetrievalResult(string Query, string Language, IReadOnlyList<ChunkHit> Hits, TimeSpan Elapsed);

/// <summary>
/// Analyzes a query with the same analyzer used at indexing and runs the hybrid search (word BM25, n-gram BM25,
/// dense vectors when an embedder is configured) fused by weighted reciprocal rank; near-identical passages collapse.
/// Several versions of a question (its translations) are searched separately and fused again by rank.
/// </summary>
public sealed class HybridRetriever(IIndexStore store, TextAnalyzer analyzer, RetrievalOptions options, DocumentEmbedder? embedder = null)
{
    public RetrievalOptions Options { get; } = options;

    public IIndexStore Store => store;

    public Task<RetrievalResult> SearchAsync(string query, int k, SearchFilter? filter = null, CancellationToken cancellationToken = default) =>
        SearchManyAsync([query], k, filter, cancellationToken);

    public async Task<RetrievalResult> SearchManyAsync(IReadOnlyList<string> queries, int k, SearchFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfZero(queries.Count);
        var clock = Stopwatch.StartNew();
        var fetch = k + Math.Min(k, 10); // head-room for collapsed duplicates
        var lists = new List<IReadOnlyList<ChunkHit>>(queries.Count);
        foreach (var query in queries)
        {
            var vector = embedder is not null && Options.DenseWeight > 0
                ? await embedder.EmbedQueryAsync(query, cancellationToken)
                : null;
            var indexQuery = new IndexQuery(analyzer.Terms(query), analyzer.CharNGrams(query), vector, fetch, filter, Options.ToFusionWeights());
            lists.Add(await store.SearchAsync(indexQuery, cancellationToken));
        }
        var hits = lists.Count == 1 ? lists[0] : FuseQueries(lists, fetch);
        hits = NearDuplicates.Collapse(hits, analyzer);
        if (Options.SentenceWeight > 0 && hits.Count > 1 && store is ITermStatisticsSource source)
        {
            hits = await RerankBySentencesAsync(hits, queries, source, cancellationToken);
        }
        return new RetrievalResult(queries[0], LanguageDetector.Detect(queries[0]), hits.Take(k).ToList(), clock.Elapsed);
    }

    private async Task<IReadOnlyList<ChunkHit>> RerankBySentencesAsync(IReadOnlyList<ChunkHit> hits, IReadOnlyList<string> queries,
        ITermStatisticsSource source, CancellationToken cancellationToken)
    {
        var head = hits.Take(Options.SentenceDepth).ToList();
        var legs = new List<RankFusion.Leg<ChunkHit>> { new(1.0, head) };
        foreach (var query in queries)
        {
            var terms = analyzer.Terms(query);
            var stats = await source.GetTermStatisticsAsync(terms.Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
            legs.Add(new(Options.SentenceWeight / queries.Count, SentenceEvidence.Rank(head, terms, stats, analyzer)));
        }
        var reranked = RankFusion.Fuse(legs, Options.RrfK).Select(f => f.Key with { Score = f.Score }).ToList();
        reranked.AddRange(hits.Skip(head.Count));
        return reranked;
    }

    private IReadOnlyList<ChunkHit> FuseQueries(List<IReadOnlyList<ChunkHit>> lists, int limit)
    {
        var byKey = new Dictionary<(string, int), ChunkHit>();
        var legs = new List<RankFusion.Leg<(string, int)>>(lists.Count);
        foreach (var list in lists)
        {
            foreach (var hit in list)
            {
                byKey.TryAdd((hit.DocumentId, hit.Ordinal), hit);
            }
            legs.Add(new(1.0, list.Select(h => (h.DocumentId, h.Ordinal)).ToList()));
        }
        return RankFusion.Fuse(legs, Options.RrfK, limit).Select(f => byKey[f.Key] with { Score = f.Score }).ToList();
    }
}
