using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Memory of one large upload (the server's path, <see cref="IngestionPipeline.IngestContentAsync"/>): a synthetic text
/// file of N MB into a fresh embedded store, peak working set above the process's size just before. Run once per mode
/// (peak working set is per process): `streaming` (chunks written in batches) or `whole` (the store hidden behind a
/// wrapper without batch support, so the whole document is built first). Args: [mb=19] [streaming|whole].
/// Target: a 19 MB file must not take the process past a few hundred MB above its idle size.
/// </summary>
internal sealed class UploadMemoryBenchmark : IBenchmark
{
    public string Name => "upload-memory";

    public string Description => "peak memory of one large text upload, streamed in batches or built whole";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var mb = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 19;
        var mode = args.Length > 1 ? args[1] : "streaming";
        var corpus = SyntheticCorpus.Load();
        var text = new StringBuilder(mb << 20);
        while (Encoding.UTF8.GetByteCount(text.ToString()) < mb << 20)
        {
            for (var i = 0; i < 200; i++)
            {
                text.Append(corpus.Document(20, 900)).Append("\n\n");
            }
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        text.Clear();
        var folder = Path.Combine(Path.GetTempPath(), "policychat-upload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var sqlite = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(folder, "index.db") });
            await sqlite.InitializeAsync(cancellationToken);
            IIndexStore store = mode == "whole" ? new NoBatches(sqlite) : sqlite;
            var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions { MaxFileBytes = 1L << 30 }),
                new DocumentIndexer(TextAnalyzer.Default, new Chunker(new ChunkingOptions())), new IngestionOptions());
            await pipeline.IngestContentAsync("upload:small.txt", "small.txt", Encoding.UTF8.GetBytes("A small warm-up document about data."), cancellationToken);
            GC.Collect();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var idle = process.WorkingSet64;
            var peakBefore = process.PeakWorkingSet64;
            var clock = Stopwatch.StartNew();
            var result = await pipeline.IngestContentAsync("upload:large.txt", "large.txt", bytes, cancellationToken);
            process.Refresh();
            var json = new JsonObject
            {
                ["mode"] = mode,
                ["upload_mb"] = Math.Round(bytes.Length / 1024.0 / 1024.0, 1),
                ["chunks"] = result.Chunks,
                ["status"] = result.Status.ToString(),
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
                ["idle_working_set_mb"] = Math.Round(idle / 1024.0 / 1024.0, 1),
                ["peak_working_set_mb"] = Math.Round(process.PeakWorkingSet64 / 1024.0 / 1024.0, 1),
                ["peak_above_idle_mb"] = Math.Round((process.PeakWorkingSet64 - Math.Max(idle, 0)) / 1024.0 / 1024.0, 1),
                ["peak_before_mb"] = Math.Round(peakBefore / 1024.0 / 1024.0, 1),
            };
            Console.WriteLine(json.ToJsonString());
        }
        finally
        {
            SqliteIndexStore.ClearPools();
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>The same store without batch support: the pipeline builds the whole document first.</summary>
    private sealed class NoBatches(IIndexStore inner) : IIndexStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task<IReadOnlyList<DocumentState>> GetDocumentStatesAsync(CancellationToken cancellationToken = default) => inner.GetDocumentStatesAsync(cancellationToken);

        public Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default) => inner.UpsertDocumentAsync(document, cancellationToken);

        public Task<bool> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken = default) => inner.DeleteDocumentAsync(documentId, cancellationToken);

        public Task<StoredDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken = default) => inner.GetDocumentAsync(documentId, cancellationToken);

        public Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(SearchFilter? filter = null, CancellationToken cancellationToken = default) => inner.ListDocumentsAsync(filter, cancellationToken);

        public Task<IReadOnlyList<ChunkHit>> SearchAsync(IndexQuery query, CancellationToken cancellationToken = default) => inner.SearchAsync(query, cancellationToken);

        public Task<EmbedderInfo?> GetEmbedderAsync(CancellationToken cancellationToken = default) => inner.GetEmbedderAsync(cancellationToken);

        public Task SetEmbedderAsync(EmbedderInfo embedder, CancellationToken cancellationToken = default) => inner.SetEmbedderAsync(embedder, cancellationToken);

        public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken = default) => inner.GetStatsAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
