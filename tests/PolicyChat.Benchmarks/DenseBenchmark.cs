using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Quantized against exact vector search in one run, over the same N clustered D-dimensional vectors
/// (<see cref="ClusteredVectors"/>): p50 per query of each, recall@10 of quantized against exact, and bytes held per
/// vector. Args: [chunks=100000] [dims=1024] [queries=200] [oversample=20].
/// Target: quantized ≥ 8× faster than exact at 100,000 × 1,024 with recall@10 ≥ 0.95.
/// </summary>
internal sealed class DenseBenchmark : IBenchmark
{
    public string Name => "dense";

    public string Description => "quantized vs exact vector search: p50s, recall@10, bytes per vector (target ≥ 8×, recall ≥ 0.95)";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var dims = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
        var queryCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
        var oversample = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        const int k = 10;

        var data = new ClusteredVectors(dims, count);
        var clock = Stopwatch.StartNew();
        var exact = new DenseVectorIndex(DenseSearchMode.Exact);
        var quantized = new DenseVectorIndex(DenseSearchMode.Quantized, oversample);
        const int batch = 10_000;
        for (var start = 0; start < count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = Enumerable.Range(start, Math.Min(batch, count - start)).Select(i => ((long)i + 1, data.Stored(i))).ToList();
            if (start == 0)
            {
                exact.Load(rows);
                quantized.Load(rows); // the first load fixes the quantization centre, as a store's first load does
            }
            else
            {
                exact.Apply([], rows);
                quantized.Apply([], rows);
            }
        }
        Console.WriteLine($"dense: {count} × {dims} loaded into both indexes in {clock.Elapsed.TotalSeconds:0.0} s");

        var queries = Enumerable.Range(0, queryCount).Select(_ => data.Query()).ToList();
        foreach (var q in queries.Take(10))
        {
            exact.Search(q, k, null);
            quantized.Search(q, k, null);
        }
        var exactTimes = new List<double>();
        var quantizedTimes = new List<double>();
        var found = 0;
        foreach (var q in queries)
        {
            clock.Restart();
            var truth = exact.Search(q, k, null);
            exactTimes.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            var approx = quantized.Search(q, k, null);
            quantizedTimes.Add(clock.Elapsed.TotalMilliseconds);
            var truthIds = truth.Select(h => h.RowId).ToHashSet();
            found += approx.Count(h => truthIds.Contains(h.RowId));
        }
        var exactP50 = Stats.Median(exactTimes);
        var p50 = Stats.Median(quantizedTimes);
        var recall = found / (double)(queryCount * k);
        Console.WriteLine($"exact p50 {exactP50:0.00} ms; quantized p50 {p50:0.00} ms ({exactP50 / p50:0.0}× faster), p95 {Stats.Percentile(quantizedTimes, 0.95):0.00} ms; recall@10 {recall:0.000}");
        Console.WriteLine($"bytes per vector: quantized {quantized.BytesPerVector}, exact {exact.BytesPerVector}");
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["chunks"] = count,
            ["dims"] = dims,
            ["exact_p50_ms"] = Math.Round(exactP50, 3),
            ["p50_ms"] = Math.Round(p50, 3),
            ["speedup"] = Math.Round(exactP50 / p50, 2),
            ["recall_at_10"] = Math.Round(recall, 4),
            ["bytes_per_vector"] = quantized.BytesPerVector,
            ["exact_bytes_per_vector"] = exact.BytesPerVector,
            ["oversample"] = oversample,
        }));
        return Task.FromResult(0);
    }
}
