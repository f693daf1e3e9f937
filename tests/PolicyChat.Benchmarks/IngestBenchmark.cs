using System.Diagnostics;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Full ingestion from files on disk (read, decode, chunk, analyze, write SQLite + FTS5), no embedding model.
/// Args: [documents=400] [paragraphs=8] [runs=3] [lexicon=persisted|none] [sizes=both|tokens|chars]. Target: ≥ 2,000
/// chunks/s on 2 cores. Chunks are sized in tokens by default (Chunking:TargetTokens); `both` also runs the character
/// sizes of before (TargetTokens 0) first, in the same process, and compares the two in megabytes of text per second.
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
        var sizes = args.Length > 4 ? args[4] : "both";
        var corpus = SyntheticCorpus.Load();
        var root = Path.Combine(Path.GetTempPath(), "policychat-bench-ingest-" + Guid.NewGuid().ToString("N"));
        var docs = Path.Combine(root, "docs");
        Directory.CreateDirectory(docs);
        for (var i = 0; i < documents; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(docs, $"doc{i:D5}.txt"), $"Document {i}\n\n" + corpus.Document(paragraphs, 900), cancellationToken);
        }

        var bytes = Directory.GetFiles(docs).Sum(f => new FileInfo(f).Length);
        foreach (var options in sizes switch
        {
            "tokens" => [new ChunkingOptions()],
            "chars" => [new ChunkingOptions { TargetTokens = 0 }],
            _ => new[] { new ChunkingOptions { TargetTokens = 0 }, new ChunkingOptions() },
        })
        {
            await MeasureAsync(root, docs, runs, persisted, options, documents, bytes, cancellationToken);
        }
        SqliteIndexStore.ClearPools();
        Directory.Delete(root, recursive: true);
        return 0;
    }

    private static async Task MeasureAsync(string root, string docs, int runs, bool persisted, ChunkingOptions options, int documents, long bytes, CancellationToken cancellationToken)
    {
        var unit = options.TargetTokens > 0 ? $"tokens {options.TargetTokens}/{options.MaxTokens}" : $"chars {options.TargetChars}/{options.MaxChars}";
        // The chunker alone, one thread, in CPU time (less sensitive to a busy machine than the wall clock below).
        var texts = Directory.GetFiles(docs).Select(File.ReadAllText).ToList();
        var chunker = new Chunker(options);
        chunker.Split(texts[0]);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var pieces = texts.Sum(t => chunker.Split(t).Count);
        Console.WriteLine($"chunker alone ({unit}): {pieces} chunks, {bytes / 1e6 / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} MB per CPU-second");
        var rates = new List<double>();
        var cpuRates = new List<double>();
        var chunks = 0;
        var seconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var db = Path.Combine(root, $"run{run}-{Guid.NewGuid():N}.db");
            await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = db, PersistLexicon = persisted });
            if (persisted)
            {
                await store.WarmUpAsync(cancellationToken);
                await store.FlushIndexFilesAsync(cancellationToken);
            }
            var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions()),
                new DocumentIndexer(TextAnalyzer.Default, new Chunker(options)), new IngestionOptions());
            var clock = Stopwatch.StartNew();
            var cpuStart = Environment.CpuUsage.TotalTime;
            var allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
            var gcStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var summary = await pipeline.IngestAsync([docs], cancellationToken: cancellationToken);
            if (persisted)
            {
                await store.FlushIndexFilesAsync(cancellationToken);
            }
            clock.Stop();
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds;
            chunks = summary.ChunksWritten;
            rates.Add(chunks / clock.Elapsed.TotalSeconds);
            cpuRates.Add(chunks / cpuSeconds);
            seconds.Add(clock.Elapsed.TotalSeconds);
            Console.WriteLine($"run {run + 1}: {summary.Added} documents, {chunks} chunks in {clock.Elapsed.TotalSeconds:0.00} s = {rates[^1]:0} chunks/s, {cpuRates[^1]:0} chunks per CPU-second (failed {summary.Failed}); "
                + $"{(GC.GetTotalAllocatedBytes(precise: true) - allocatedStart) / 1024.0 / Math.Max(1, chunks):0.0} KiB allocated per chunk, "
                + $"GCs gen0/1/2 {GC.CollectionCount(0) - gcStart.Item1}/{GC.CollectionCount(1) - gcStart.Item2}/{GC.CollectionCount(2) - gcStart.Item3}");
        }
        Console.WriteLine($"ingest ({unit}): {documents} documents, {chunks} chunks, {Environment.ProcessorCount} cores; median {Stats.Median(rates):0} chunks/s (target ≥ 2000), "
            + $"{Stats.Median(cpuRates):0} chunks per CPU-second, {bytes / 1e6 / Stats.Median(seconds):0.00} MB/s (load average {SearchBenchmark.LoadAverage()}); lexicon {(persisted ? "loaded and persisted" : "not loaded")}");
    }
}
