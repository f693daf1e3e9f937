using System.Diagnostics;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Benchmarks;

/// <summary>
/// The embedded store's vector leg while documents are written: N chunks with random D-dimensional vectors (documents
/// of 10 chunks), the first dense search (loads the vectors), dense search alone, then rounds of "replace one document,
/// then search" (what a server sees when an admin uploads while users ask). Args: [chunks=100000] [dims=1024] [rounds=20]
/// </summary>
internal sealed class DenseUpdateBenchmark : IBenchmark
{
    public string Name => "dense-update";

    public string Description => "vector leg: first-search load, search p50, and search right after a document write";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var chunks = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var dims = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024;
        var rounds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
        const int perDocument = 10;
        var random = new Random(7);
        var folder = Path.Combine(Path.GetTempPath(), "policychat-dense-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(folder, "index.db") });
            await store.InitializeAsync(cancellationToken);
            var build = Stopwatch.StartNew();
            for (var d = 0; d < chunks / perDocument; d++)
            {
                await store.UpsertDocumentAsync(Document("doc" + d, "h0", perDocument, dims, random), cancellationToken);
            }
            Console.WriteLine($"dense-update: {chunks} chunks × {dims} dims written in {build.Elapsed.TotalSeconds:0.0} s");

            float[] Query() => Vector(dims, random);
            var clock = Stopwatch.StartNew();
            await store.SearchAsync(new IndexQuery([], [], Query(), 10), cancellationToken);
            var firstMs = clock.Elapsed.TotalMilliseconds;

            var plain = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                clock.Restart();
                await store.SearchAsync(new IndexQuery([], [], Query(), 10), cancellationToken);
                plain.Add(clock.Elapsed.TotalMilliseconds);
            }

            var writes = new List<double>();
            var afterWrite = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                clock.Restart();
                await store.UpsertDocumentAsync(Document("doc" + random.Next(chunks / perDocument), "h" + (i + 1), perDocument, dims, random), cancellationToken);
                writes.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                await store.SearchAsync(new IndexQuery([], [], Query(), 10), cancellationToken);
                afterWrite.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"first dense search (loads the vectors): {firstMs:0} ms");
            Console.WriteLine($"dense search p50 {Stats.Median(plain):0.0} ms, p95 {Stats.Percentile(plain, 0.95):0.0} ms");
            Console.WriteLine($"replace a {perDocument}-chunk document p50 {Stats.Median(writes):0.0} ms; next search p50 {Stats.Median(afterWrite):0.0} ms, p95 {Stats.Percentile(afterWrite, 0.95):0.0} ms");
            Console.WriteLine($"managed memory {Stats.Mb(GC.GetTotalMemory(forceFullCollection: true))}");
        }
        finally
        {
            SqliteIndexStore.ClearPools();
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static IndexedDocument Document(string id, string hash, int chunks, int dims, Random random)
    {
        var list = new List<ChunkToIndex>(chunks);
        for (var i = 0; i < chunks; i++)
        {
            list.Add(new ChunkToIndex(i, i * 10, (i * 10) + 9, "chunk " + i, "en", ["chunk"], ["chu"]) { Vector = Vector(dims, random) });
        }
        var document = new StoredDocument(id, "/bench/" + id, id, "en", null, null, hash, string.Join(' ', list.Select(c => c.Text)), DateTimeOffset.UtcNow);
        return new IndexedDocument(document, list);
    }

    private static float[] Vector(int dims, Random random)
    {
        var v = new float[dims];
        for (var i = 0; i < dims; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }
        return v;
    }
}
