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
        return new RetrievalResult(queries[0], LanguageDetector.Detect(queries[0]), hits.Take(k).ToList(), clock.Elapsed);
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
