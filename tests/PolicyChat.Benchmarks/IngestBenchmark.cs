using System.Diagnostics;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Full ingestion from files on disk (read, decode, chunk, analyze, write SQLite + FTS5), no embedding model.
/// Args: [documents=400] [paragraphs=8] [runs=3] [lexicon=persisted|none]. Target: ≥ 2,000 chunks/s on 2 cores.
/// With `persisted` (default) the store's lexicon is loaded before ingesting (as in a running server), kept in step with
/// every write, and its file written (the wait for the last file write is timed too).
/// </summary>
internal sealed class IngestBenchmark : IBenchmark
{
    public string Name => "ingest";

    public string Description => "chunks/s of `policychat ingest` over synthetic Arabic/English files (target ≥ 2,000)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var documents = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 400;
        var paragraphs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
        var runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var persisted = args.Length <= 3 || args[3] != "none";
        var corpus = SyntheticCorpus.Load();
        var root = Path.Combine(Path.GetTempPath(), "policychat-bench-ingest-" + Guid.NewGuid().ToString("N"));
        var docs = Path.Combine(root, "docs");
        Directory.CreateDirectory(docs);
        for (var i = 0; i < documents; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(docs, $"doc{i:D5}.txt"), $"Document {i}\n\n" + corpus.Document(paragraphs, 900), cancellationToken);
        }

        var rates = new List<double>();
        var cpuRates = new List<double>();
        var chunks = 0;
        for (var run = 0; run < runs; run++)
        {
            var db = Path.Combine(root, $"run{run}.db");
            await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = db, PersistLexicon = persisted });
            if (persisted)
            {
                await store.WarmUpAsync(cancellationToken);
                await store.FlushIndexFilesAsync(cancellationToken);
            }
            var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions()),
                new DocumentIndexer(TextAnalyzer.Default, new Chunker(new ChunkingOptions())), new IngestionOptions());
            var clock = Stopwatch.StartNew();
            var cpu = Environment.CpuUsage.TotalTime;
            var summary = await pipeline.IngestAsync([docs], cancellationToken: cancellationToken);
            if (persisted)
            {
                await store.FlushIndexFilesAsync(cancellationToken);
            }
            clock.Stop();
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
            chunks = summary.ChunksWritten;
            rates.Add(chunks / clock.Elapsed.TotalSeconds);
            cpuRates.Add(chunks / cpuSeconds);
            Console.WriteLine($"run {run + 1}: {summary.Added} documents, {chunks} chunks in {clock.Elapsed.TotalSeconds:0.00} s = {rates[^1]:0} chunks/s, {cpuRates[^1]:0} chunks per CPU-second (failed {summary.Failed})");
        }
        Console.WriteLine($"ingest: {documents} documents, {chunks} chunks, {Environment.ProcessorCount} cores; median {Stats.Median(rates):0} chunks/s (target ≥ 2000), {Stats.Median(cpuRates):0} chunks per CPU-second (load average {SearchBenchmark.LoadAverage()}); lexicon {(persisted ? "loaded and persisted" : "not loaded")}");
        SqliteIndexStore.ClearPools();
        Directory.Delete(root, recursive: true);
        return 0;
    }
}
