using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Ingestion;

/// <summary>
/// Reads, analyzes and indexes documents. Unchanged files (same content hash) are skipped; a changed document is
/// replaced atomically by the store; a bad file yields a Failed/Skipped result and the run continues.
/// Reading, chunking, analysis and embedding run on all cores; one writer commits documents in order of completion.
/// </summary>
public sealed class IngestionPipeline(
    IIndexStore store,
    DocumentLoader loader,
    DocumentIndexer indexer,
    IngestionOptions options,
    DocumentEmbedder? embedder = null,
    TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Files under the given paths that ingestion would read (see <see cref="FileWalker"/>; links are not followed).</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths, bool followLinks = false) =>
        FileWalker.Walk(paths, followLinks).Files;

    public async Task<IngestionSummary> IngestAsync(IReadOnlyList<string> paths, IProgress<IngestionResult>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var stopwatch = Stopwatch.StartNew();
        await store.InitializeAsync(cancellationToken);
        if (embedder is not null)
        {
            await embedder.EnsureCompatibleAsync(store, cancellationToken);
        }
        var walked = FileWalker.Walk(paths, options.FollowLinks);
        var files = walked.Files;
        var states = (await store.GetDocumentStatesAsync(cancellationToken)).ToDictionary(s => s.Id, StringComparer.Ordinal);
        var results = new ConcurrentQueue<IngestionResult>();
        var metadata = new MetadataResolver();
        void Report(IngestionResult result)
        {
            results.Enqueue(result);
            progress?.Report(result);
        }
        foreach (var skipped in walked.Skipped)
        {
            Report(skipped);
        }

        var channel = Channel.CreateBounded<(IndexedDocument Document, bool IsUpdate, Stopwatch Clock, string? Detail)>(
            new BoundedChannelOptions(Math.Max(2, options.MaxDegreeOfParallelism * 2)) { SingleReader = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (document, isUpdate, clock, detail) in channel.Reader.ReadAllAsync(cancellationToken))
            {
                var doc = document.Document;
                try
                {
                    await store.UpsertDocumentAsync(document, cancellationToken);
                    Report(new IngestionResult(doc.SourcePath, doc.Id, isUpdate ? IngestionStatus.Updated : IngestionStatus.Added,
                        document.Chunks.Count, null, clock.Elapsed, doc.Title) { Detail = detail });
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Report(new IngestionResult(doc.SourcePath, doc.Id, IngestionStatus.Failed, 0, "could not be stored: " + ex.Message, clock.Elapsed, doc.Title));
                }
            }
        }, cancellationToken);

        try
        {
            await Parallel.ForEachAsync(files,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancellationToken },
                async (file, ct) =>
                {
                    var clock = Stopwatch.StartNew();
                    var prepared = await PrepareFileAsync(file, states, metadata, clock, ct);
                    if (prepared.Result is { } result)
                    {
                        Report(result);
                    }
                    else
                    {
                        await channel.Writer.WriteAsync((prepared.Document!, prepared.IsUpdate, clock, prepared.Detail), ct);
                    }
                });
        }
        finally
        {
            channel.Writer.TryComplete();
            await writer;
        }

        foreach (var (path, error) in metadata.Problems)
        {
            Report(new IngestionResult(path, null, IngestionStatus.Failed, 0, "metadata not applied: " + error, TimeSpan.Zero));
        }

        if (options.Prune)
        {
            foreach (var state in states.Values.Where(s => IsFilePath(s.SourcePath) && !File.Exists(s.SourcePath)))
            {
                var clock = Stopwatch.StartNew();
                if (await store.DeleteDocumentAsync(state.Id, cancellationToken))
                {
                    Report(new IngestionResult(state.SourcePath, state.Id, IngestionStatus.Removed, 0, "file is gone", clock.Elapsed));
                }
            }
        }

        return new IngestionSummary(results.ToList(), stopwatch.Elapsed);
    }

    /// <summary>Ingests content that has no file on disk (an upload). <paramref name="source"/> names it, e.g. "upload:report.docx".</summary>
    public Task<IngestionResult> IngestContentAsync(string source, string fileName, ReadOnlyMemory<byte> content,
        CancellationToken cancellationToken = default) =>
        IngestContentAsync(source, fileName, content, admitText: null, cancellationToken);

    /// <summary>
    /// Ingests an upload; <paramref name="admitText"/> is given the extracted text's length before anything is stored
    /// and returns the reason to refuse it (the result is Skipped with that reason), or null to go on.
    /// </summary>
    public async Task<IngestionResult> IngestContentAsync(string source, string fileName, ReadOnlyMemory<byte> content,
        Func<int, string?>? admitText, CancellationToken cancellationToken = default)
    {
        await store.InitializeAsync(cancellationToken);
        if (embedder is not null)
        {
            await embedder.EnsureCompatibleAsync(store, cancellationToken);
        }
        var clock = Stopwatch.StartNew();
        var id = DocumentIds.FromSource(source);
        var hash = DocumentIds.ContentHash(content.Span);
        var existing = await store.GetDocumentAsync(id, cancellationToken);
        if (existing is not null && existing.ContentHash == hash)
        {
            return new IngestionResult(source, id, IngestionStatus.Unchanged, 0, null, clock.Elapsed, existing.Title);
        }
        var outcome = await loader.ReadBytesAsync(fileName, content, cancellationToken);
        if (outcome.Status != ReadStatus.Ok)
        {
            return FromOutcome(source, outcome, clock);
        }
        if (admitText?.Invoke(outcome.Document!.Text.Length) is { } refusal)
        {
            return new IngestionResult(source, existing?.Id, IngestionStatus.Skipped, 0, refusal, clock.Elapsed);
        }
        if (store is IStreamingIndexStore streaming)
        {
            // Chunks are analyzed, embedded and written a batch at a time: memory follows a batch, not the upload.
            var metadata = new MetadataResolver().Resolve(source, fileName, outcome.Document!);
            var (stored, count, batches) = indexer.BuildInBatches(id, source, outcome.Document!, metadata, hash, _time.GetUtcNow());
            await streaming.UpsertDocumentAsync(stored, EmbedBatchesAsync(stored, batches, cancellationToken), cancellationToken);
            return new IngestionResult(source, id, existing is null ? IngestionStatus.Added : IngestionStatus.Updated, count, null, clock.Elapsed, stored.Title)
            {
                Detail = Describe(outcome.Document!),
            };
        }
        var document = await BuildAsync(id, source, fileName, outcome.Document!, hash, new MetadataResolver(), cancellationToken);
        await store.UpsertDocumentAsync(document, cancellationToken);
        return new IngestionResult(source, id, existing is null ? IngestionStatus.Added : IngestionStatus.Updated,
            document.Chunks.Count, null, clock.Elapsed, document.Document.Title) { Detail = Describe(outcome.Document!) };
    }

    /// <summary>
    /// Rebuilds a document's passages (and embeddings): from its source file when it is still on disk, else from the
    /// stored text with the stored metadata (uploads). Returns null when no document has this id.
    /// </summary>
    public async Task<IngestionResult?> ReindexAsync(string documentId, CancellationToken cancellationToken = default)
    {
        await store.InitializeAsync(cancellationToken);
        var stored = await store.GetDocumentAsync(documentId, cancellationToken);
        if (stored is null)
        {
            return null;
        }
        if (embedder is not null)
        {
            await embedder.EnsureCompatibleAsync(store, cancellationToken);
        }
        var clock = Stopwatch.StartNew();
        IndexedDocument document;
        if (IsFilePath(stored.SourcePath) && File.Exists(stored.SourcePath))
        {
            var bytes = await File.ReadAllBytesAsync(stored.SourcePath, cancellationToken);
            var fileName = Path.GetFileName(stored.SourcePath);
            var read = await loader.ReadBytesAsync(fileName, bytes, cancellationToken);
            if (read.Status != ReadStatus.Ok)
            {
                return FromOutcome(stored.SourcePath, read, clock);
            }
            document = await BuildAsync(stored.Id, stored.SourcePath, fileName, read.Document!, DocumentIds.ContentHash(bytes), new MetadataResolver(), cancellationToken);
        }
        else
        {
            var extracted = new ExtractedDocument(stored.Text, stored.Title, "text", []);
            var metadata = new DocumentMetadata(stored.Title, stored.Language, stored.Date, stored.Outlet);
            document = indexer.Build(stored.Id, stored.SourcePath, extracted, metadata, stored.ContentHash, _time.GetUtcNow());
            if (embedder is not null && document.Chunks.Count > 0)
            {
                document = await embedder.EmbedAsync(document, cancellationToken);
            }
        }
        await store.UpsertDocumentAsync(document, cancellationToken);
        return new IngestionResult(stored.SourcePath, stored.Id, IngestionStatus.Updated, document.Chunks.Count, null, clock.Elapsed, document.Document.Title);
    }

    /// <summary>"OCR: 2 of 3 pages recognized, mean confidence 91.4" for scanned PDFs; null otherwise.</summary>
    internal static string? Describe(ExtractedDocument document)
    {
        var parts = new List<string>();
        if (document.OcrPages > 0)
        {
            var pages = document.OcrPages + document.UnrecognizedPages;
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"OCR: {document.OcrPages} of {pages} scanned page{(pages == 1 ? "" : "s")} recognized, mean confidence {document.OcrConfidence:0.0}"));
        }
        else if (document.UnrecognizedPages > 0)
        {
            parts.Add($"{document.UnrecognizedPages} scanned page{(document.UnrecognizedPages == 1 ? "" : "s")} without text not recognized (install tesseract-ocr-ara)");
        }
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private async Task<(IngestionResult? Result, IndexedDocument? Document, bool IsUpdate, string? Detail)> PrepareFileAsync(
        string file, IReadOnlyDictionary<string, DocumentState> states, MetadataResolver metadata, Stopwatch clock, CancellationToken cancellationToken)
    {
        var id = DocumentIds.FromSource(file);
        try
        {
            var read = await BoundedFile.ReadAsync(file, loader.Options.MaxFileBytes, cancellationToken);
            if (read.Bytes is null)
            {
                // Not found, not a regular file or too large: the loader words the reason.
                var outcome = await loader.ReadFileAsync(file, cancellationToken);
                return (FromOutcome(file, outcome, clock), null, false, null);
            }
            var bytes = read.Bytes;
            var hash = DocumentIds.ContentHash(bytes);
            states.TryGetValue(id, out var state);
            if (state is not null && state.ContentHash == hash)
            {
                return (new IngestionResult(file, id, IngestionStatus.Unchanged, 0, null, clock.Elapsed), null, false, null);
            }
            var loaded = await loader.ReadBytesAsync(Path.GetFileName(file), bytes, cancellationToken);
            if (loaded.Status != ReadStatus.Ok)
            {
                return (FromOutcome(file, loaded, clock), null, false, null);
            }
            var document = await BuildAsync(id, file, Path.GetFileName(file), loaded.Document!, hash, metadata, cancellationToken);
            return (null, document, state is not null, Describe(loaded.Document!));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (new IngestionResult(file, id, IngestionStatus.Failed, 0, ex.Message, clock.Elapsed), null, false, null);
        }
    }

    private async Task<IndexedDocument> BuildAsync(string id, string source, string fileName, ExtractedDocument extracted, string hash,
        MetadataResolver metadata, CancellationToken cancellationToken)
    {
        var document = indexer.Build(id, source, extracted, metadata.Resolve(source, fileName, extracted), hash, _time.GetUtcNow());
        if (embedder is not null && document.Chunks.Count > 0)
        {
            document = await embedder.EmbedAsync(document, cancellationToken);
        }
        return document;
    }

    private async IAsyncEnumerable<IReadOnlyList<ChunkToIndex>> EmbedBatchesAsync(StoredDocument document,
        IEnumerable<IReadOnlyList<ChunkToIndex>> batches, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var batch in batches)
        {
            yield return embedder is null || batch.Count == 0
                ? batch
                : (await embedder.EmbedAsync(new IndexedDocument(document, batch), cancellationToken)).Chunks;
        }
    }

    private static IngestionResult FromOutcome(string path, ReadOutcome outcome, Stopwatch clock) =>
        new(path, null, outcome.Status == ReadStatus.Skipped ? IngestionStatus.Skipped : IngestionStatus.Failed, 0, outcome.Reason, clock.Elapsed)
        {
            Problem = outcome.Problem,
        };

    private static bool IsFilePath(string source) => Path.IsPathFullyQualified(source);
}
