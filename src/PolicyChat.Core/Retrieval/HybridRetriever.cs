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
    // Dimensions of the vectors in the index once its embedder has been checked against the configured one (0 = not yet).
    private int _indexDimensions;

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
        var dense = embedder is not null && Options.DenseWeight > 0 && await EnsureEmbedderMatchesIndexAsync(cancellationToken);
        foreach (var query in queries)
        {
            var vector = dense ? await EmbedQueryAsync(query, cancellationToken) : null;
            var indexQuery = new IndexQuery(analyzer.Terms(query), analyzer.CharNGrams(query), vector, fetch, filter, Options.ToFusionWeights());
            lists.Add(await store.SearchAsync(indexQuery, cancellationToken));
        }
        var hits = lists.Count == 1 ? lists[0] : FuseQueries(lists, fetch);
        hits = NearDuplicates.Collapse(hits);
        return new RetrievalResult(queries[0], LanguageDetector.Detect(queries[0]), hits.Take(k).ToList(), clock.Elapsed);
    }

    /// <summary>
    /// False when the index holds no vectors yet (nothing for the dense leg to find). Throws
    /// <see cref="EmbedderMismatchException"/> when the index was built by another embedding model or dimension:
    /// query vectors from another model would be compared with the index's vectors and rank passages at random.
    /// </summary>
    private async Task<bool> EnsureEmbedderMatchesIndexAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _indexDimensions) > 0)
        {
            return true;
        }
        var recorded = await store.GetEmbedderAsync(cancellationToken);
        if (recorded is null)
        {
            return false;
        }
        var configured = embedder!.Info;
        if (!string.Equals(recorded.Model, configured.Model, StringComparison.Ordinal) || (configured.Dimensions > 0 && recorded.Dimensions != configured.Dimensions))
        {
            throw new EmbedderMismatchException(
                $"The index was built with embedding model '{recorded.Model}' ({recorded.Dimensions} dimensions) but '{configured.Model}' ({configured.Dimensions} dimensions) is configured. Re-index: delete the index and run 'policychat ingest' again, or configure '{recorded.Model}'.");
        }
        Volatile.Write(ref _indexDimensions, Math.Max(1, recorded.Dimensions));
        return true;
    }

    private async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        var vector = await embedder!.EmbedQueryAsync(query, cancellationToken);
        var expected = Volatile.Read(ref _indexDimensions);
        if (expected > 1 && vector.Length != expected)
        {
            throw new EmbedderMismatchException(
                $"The embedding model '{embedder.Info.Model}' returned {vector.Length} dimensions but the index holds {expected}-dimensional vectors. Re-index: delete the index and run 'policychat ingest' again.");
        }
        return vector;
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
