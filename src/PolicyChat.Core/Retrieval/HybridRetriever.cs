using System.Diagnostics;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Retrieval;

public sealed record RetrievalResult(string Query, string Language, IReadOnlyList<ChunkHit> Hits, TimeSpan Elapsed);

/// <summary>
/// Analyzes a query with the same analyzer used at indexing and runs the hybrid search (word BM25, n-gram BM25,
/// dense vectors when an embedder is configured) fused by weighted reciprocal rank.
/// </summary>
public sealed class HybridRetriever(IIndexStore store, TextAnalyzer analyzer, RetrievalOptions options, DocumentEmbedder? embedder = null)
{
    public RetrievalOptions Options { get; } = options;

    public async Task<RetrievalResult> SearchAsync(string query, int k, SearchFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var clock = Stopwatch.StartNew();
        var language = LanguageDetector.Detect(query);
        var vector = embedder is not null && Options.DenseWeight > 0
            ? await embedder.EmbedQueryAsync(query, cancellationToken)
            : null;
        var indexQuery = new IndexQuery(analyzer.Terms(query), analyzer.CharNGrams(query), vector, k, filter, Options.ToFusionWeights());
        var hits = await store.SearchAsync(indexQuery, cancellationToken);
        return new RetrievalResult(query, language, hits, clock.Elapsed);
    }
}
