using PolicyChat.Core.Documents;
using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Ingestion;

/// <summary>
/// Copies every document of one index into another (the embedded SQLite index into Qdrant): documents are re-chunked
/// and re-analyzed from their stored text with the same analyzer, embedded when an embedder is configured, and upserted.
/// Documents already present with the same content hash are skipped, so an interrupted copy can simply be run again.
/// </summary>
public sealed class IndexCopier(DocumentIndexer indexer, DocumentEmbedder? embedder = null)
{
    public async Task<IngestionSummary> CopyAsync(IIndexStore source, IIndexStore target, IProgress<IngestionResult>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await source.InitializeAsync(cancellationToken);
        await target.InitializeAsync(cancellationToken);
        if (embedder is not null)
        {
            await embedder.EnsureCompatibleAsync(target, cancellationToken);
        }
        var existing = (await target.GetDocumentStatesAsync(cancellationToken)).ToDictionary(s => s.Id, s => s.ContentHash, StringComparer.Ordinal);
        var results = new List<IngestionResult>();
        foreach (var summary in await source.ListDocumentsAsync(cancellationToken: cancellationToken))
        {
            var started = clock.Elapsed;
            IngestionResult result;
            if (existing.TryGetValue(summary.Id, out var hash) && hash == summary.ContentHash)
            {
                result = new IngestionResult(summary.SourcePath, summary.Id, IngestionStatus.Unchanged, 0, null, clock.Elapsed - started, summary.Title);
            }
            else
            {
                var doc = await source.GetDocumentAsync(summary.Id, cancellationToken)
                    ?? throw new InvalidOperationException($"Document {summary.Id} disappeared from the source index during the copy.");
                var indexed = indexer.Build(doc.Id, doc.SourcePath, new ExtractedDocument(doc.Text, doc.Title, "stored", []),
                    new DocumentMetadata(doc.Title, doc.Language, doc.Date, doc.Outlet), doc.ContentHash, doc.IngestedAt);
                if (embedder is not null && indexed.Chunks.Count > 0)
                {
                    indexed = await embedder.EmbedAsync(indexed, cancellationToken);
                }
                await target.UpsertDocumentAsync(indexed, cancellationToken);
                result = new IngestionResult(doc.SourcePath, doc.Id, existing.ContainsKey(doc.Id) ? IngestionStatus.Updated : IngestionStatus.Added,
                    indexed.Chunks.Count, null, clock.Elapsed - started, doc.Title);
            }
            results.Add(result);
            progress?.Report(result);
        }
        return new IngestionSummary(results, clock.Elapsed);
    }
}
