using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// A restart at scale: builds (or reuses) an N-chunk synthetic index (the `search` benchmark's file), makes sure its
/// lexicon file is written and current, then starts a fresh process that opens the store and searches: open time,
/// first search (opens the lexicon file and applies later changes), warm p50, managed memory after, index file bytes.
/// Args: [chunks=100000] [db path] [queries=200].
/// Targets: first search ≤ 1 s and managed memory ≤ 100 MB at 100,000 chunks; start-up ≤ 2 s at 1,000,000.
/// </summary>
internal sealed class ColdStartBenchmark : IBenchmark
{
    public string Name => "cold-start";

    public string Description => "restart at N chunks: open, first search, warm p50, managed memory (targets ≤ 1 s, ≤ 100 MB at 100k)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var chunks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var dbPath = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), $"policychat-bench-search-{chunks}.db");
        var queries = args.Length > 2 ? args[2] : "200";
        var prepare = Stopwatch.StartNew();
        await using (var store = new SqliteIndexStore(new SqliteIndexOptions { Path = dbPath }))
        {
            await store.InitializeAsync(cancellationToken);
            var stats = await store.GetStatsAsync(cancellationToken);
            if (stats.Chunks < chunks)
            {
                await SearchBenchmark.BuildAsync(store, SyntheticCorpus.Load(), chunks - stats.Chunks, stats.Documents, cancellationToken);
            }
            await store.WarmUpAsync(cancellationToken); // opens the lexicon file, or rebuilds it and writes it in the background
            await store.FlushIndexFilesAsync(cancellationToken);
        }
        Console.WriteLine($"cold-start: index ready in {prepare.Elapsed.TotalSeconds:0.0} s; starting a fresh process");

        var self = typeof(ColdStartBenchmark).Assembly.Location;
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        // Under the `dotnet` host the assembly is its first argument; the app host ("PolicyChat.Benchmarks") is the app itself.
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(self);
        }
        foreach (var arg in new[] { "cold-start-child", dbPath, queries })
        {
            info.ArgumentList.Add(arg);
        }
        using var child = Process.Start(info) ?? throw new InvalidOperationException("The child process did not start.");
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken);
        await child.WaitForExitAsync(cancellationToken);
        Console.Write(output);
        return child.ExitCode;
    }
}

/// <summary>The fresh process of `cold-start` (not run alone): opens the store, searches, prints one JSON object.</summary>
internal sealed class ColdStartChild : IBenchmark
{
    public string Name => "cold-start-child";

    public string Description => "(the fresh process of cold-start)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var dbPath = args[0];
        var queryCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var corpus = SyntheticCorpus.Load();
        var questions = corpus.Questions.Where((_, i) => i % Math.Max(1, corpus.Questions.Count / queryCount) == 0).Take(queryCount).Select(q => q.Text).ToList();
        var analyzer = TextAnalyzer.Default;
        analyzer.AnalyzeForIndex("warm the analyzer's tables"); // not the index's cost
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);

        var clock = Stopwatch.StartNew();
        await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = dbPath });
        await store.InitializeAsync(cancellationToken);
        var openMs = clock.Elapsed.TotalMilliseconds;
        var retriever = new HybridRetriever(store, analyzer, new RetrievalOptions());
        clock.Restart();
        var first = await retriever.SearchAsync(questions[0], 10, cancellationToken: cancellationToken);
        var firstMs = clock.Elapsed.TotalMilliseconds;
        var persisted = store.IsLexiconFromFile;

        // Wall time and this process's CPU time per query: on a shared machine the CPU time shows the work itself.
        var times = new List<double>();
        var cpuTimes = new List<double>();
        var process = Process.GetCurrentProcess();
        foreach (var q in questions)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            clock.Restart();
            await retriever.SearchAsync(q, 10, cancellationToken: cancellationToken);
            times.Add(clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpuTimes.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
        }
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var stats = await store.GetStatsAsync(cancellationToken);
        var json = new JsonObject
        {
            ["chunks"] = stats.Chunks,
            ["open_ms"] = Math.Round(openMs, 1),
            ["first_search_ms"] = Math.Round(firstMs, 1),
            ["warm_p50_ms"] = Math.Round(Stats.Median(times), 2),
            ["warm_p95_ms"] = Math.Round(Stats.Percentile(times, 0.95), 2),
            ["warm_cpu_p50_ms"] = Math.Round(Stats.Median(cpuTimes), 2),
            ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null,
            ["managed_mb"] = Math.Round(managed / 1024.0 / 1024.0, 1),
            ["managed_before_open_mb"] = Math.Round(managedBefore / 1024.0 / 1024.0, 1),
            ["working_set_mb"] = Math.Round(Environment.WorkingSet / 1024.0 / 1024.0, 1),
            ["index_bytes"] = LexiconBytes(store.LexiconPath),
            ["lexicon_from_file"] = persisted,
            ["first_hits"] = first.Hits.Count,
        };
        Console.WriteLine($"fresh process: open {openMs:0} ms, first search {firstMs:0} ms (lexicon from file: {persisted}), warm p50 {Stats.Median(times):0.00} ms (CPU {Stats.Median(cpuTimes):0.00} ms), managed {Stats.Mb(managed)}");
        Console.WriteLine(json.ToJsonString());
        return 0;
    }

    /// <summary>The lexicon's manifest and segment files (a version-1 lexicon is one file at the manifest's path).</summary>
    private static long LexiconBytes(string lexiconPath) =>
        Directory.GetFiles(Path.GetDirectoryName(lexiconPath)!, Path.GetFileName(lexiconPath) + "*")
            .Where(f => f == lexiconPath || f.EndsWith(".seg", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
}
