using System.Diagnostics;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// The embedded store's in-memory index build alone, as the background task runs it after each commit: chunks' stored
/// columns (word terms, n-gram source) applied to a <see cref="ChunkLexicon"/> in pages of 256 changes. No SQLite, no
/// file: the CPU the lexicon adds to ingestion, with less noise than a whole ingestion run.
/// Args: [chunks=20000] [rounds=7]. Reports the median over rounds of µs per chunk (wall and process CPU), and per round
/// the bytes allocated per chunk and the garbage collections; the first
/// round (JIT warm-up) is reported apart and left out of the median.
/// </summary>
internal sealed class LexiconBuildBenchmark : IBenchmark
{
    public string Name => "lexicon-build";

    public string Description => "in-memory word + n-gram index build from stored chunk columns: µs per chunk (wall, CPU)";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7;
        var corpus = SyntheticCorpus.Load();
        var analyzer = TextAnalyzer.Default;
        var chunks = new ChunkTerms[count];
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var analyzed = analyzer.AnalyzeForIndex(corpus.Paragraph(900));
            var chunk = new ChunkToIndex(i, 0, 0, "", "", analyzed.Terms, [], NGramSource: analyzed.NGramSource);
            chunks[i] = new ChunkTerms(i + 1, ChunkLexicon.TermsColumn(chunk), ChunkLexicon.GramColumn(chunk));
        }
        var wall = new List<double>();
        var cpu = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var lexicon = new ChunkLexicon(new Bm25Parameters(), new Bm25Parameters(), new TextAnalyzerOptions());
            var clock = Stopwatch.StartNew();
            var cpuStart = Environment.CpuUsage.TotalTime;
            var allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
            var gcStart = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            for (var start = 0; start < count; start += 256)
            {
                cancellationToken.ThrowIfCancellationRequested();
                lexicon.Apply([], new ArraySegment<ChunkTerms>(chunks, start, Math.Min(256, count - start)));
            }
            var w = clock.Elapsed.TotalMicroseconds / count;
            var c = (Environment.CpuUsage.TotalTime - cpuStart).TotalMicroseconds / count;
            var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedStart) / (double)count;
            var gcs = $"GCs gen0/1/2 {GC.CollectionCount(0) - gcStart.Item1}/{GC.CollectionCount(1) - gcStart.Item2}/{GC.CollectionCount(2) - gcStart.Item3}";
            Console.WriteLine($"round {round + 1}: {w:0.0} µs/chunk wall, {c:0.0} µs/chunk CPU, {allocated / 1024:0.0} KiB allocated/chunk, {gcs}{(round == 0 ? " (warm-up, not in the median)" : "")}");
            if (round > 0)
            {
                wall.Add(w);
                cpu.Add(c);
            }
        }
        Console.WriteLine($"lexicon-build: {count} chunks; median {Stats.Median(wall):0.0} µs/chunk wall, {Stats.Median(cpu):0.0} µs/chunk CPU (load average {SearchBenchmark.LoadAverage()})");
        return Task.FromResult(0);
    }
}
