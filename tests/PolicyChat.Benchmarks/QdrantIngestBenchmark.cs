using System.Diagnostics;
using System.Globalization;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Testing.Qdrant;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Qdrant store ingestion throughput through Qdrant.Client over gRPC: sparse-vector building (FNV-1a ids, BM25 weights),
/// protobuf messages and gRPC calls for synthetic chunks with pre-made terms, sent to the in-process fake Qdrant (TestServer)
/// with an engine that accepts every upsert instantly (no checks, no storage).
/// Args: [chunks=20000] [denseDimensions=384] [runs=5] [chunksPerDocument=20].
/// </summary>
public sealed class QdrantIngestBenchmark : IBenchmark
{
    public string Name => "qdrant-ingest";

    public string Description => "Qdrant store ingestion (sparse vectors + protobuf + gRPC via Qdrant.Client) against an instant in-process fake, chunks/s";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var chunks = Arg(args, 0, 20_000);
        var dimensions = Arg(args, 1, 384);
        var runs = Arg(args, 2, 5);
        var perDocument = Arg(args, 3, 20);

        await using var server = await FakeQdrant.StartAsync(engine: new FakeQdrantEngine { DiscardPoints = true });
        server.RecordCalls = false;
        var documents = Synthesize(chunks, perDocument, dimensions);
        var termsPerChunk = documents[0].Chunks[0].Terms.Count;
        var ngramsPerChunk = documents[0].Chunks[0].NGrams.Count;
        Console.WriteLine($"qdrant-ingest: {chunks:N0} chunks in {documents.Count:N0} documents, {termsPerChunk} terms + {ngramsPerChunk} n-grams + {dimensions}-d vector per chunk, {runs} runs (+1 warm-up)");

        var rates = new List<double>();
        var cpuRates = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            await using var store = new QdrantIndexStore(
                new QdrantOptions { Url = server.Url, Collection = "bench" + run, DenseDimensions = dimensions > 0 ? dimensions : null }, null, _ => server.CreateHandler());
            await store.InitializeAsync(cancellationToken);
            var callsBefore = server.CallCount;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (var document in documents)
            {
                await store.UpsertDocumentAsync(document, cancellationToken);
            }
            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var rate = chunks / clock.Elapsed.TotalSeconds;
            var perCpuSecond = chunks / cpu.TotalSeconds;
            Console.WriteLine($"  {(run == 0 ? "warm-up" : "run " + run),-8} {clock.Elapsed.TotalMilliseconds,8:F0} ms  {rate,10:N0} chunks/s  {perCpuSecond,10:N0} chunks/CPU-s  {server.CallCount - callsBefore,6:N0} gRPC calls");
            if (run > 0)
            {
                rates.Add(rate);
                cpuRates.Add(perCpuSecond);
            }
        }
        rates.Sort();
        cpuRates.Sort();
        Console.WriteLine($"qdrant-ingest median: {rates[rates.Count / 2]:N0} chunks/s wall clock (target >= 10,000); {cpuRates[cpuRates.Count / 2]:N0} chunks per CPU-second (client and in-process server together; robust on a busy machine)");
        return 0;
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index && int.TryParse(args[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Deterministic synthetic documents: Arabic-like words from a 5,000-word vocabulary, ~150 terms per chunk.</summary>
    private static List<IndexedDocument> Synthesize(int chunks, int perDocument, int dimensions)
    {
        var random = new Random(42);
        const string letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي";
        var vocabulary = Enumerable.Range(0, 5000)
            .Select(_ => new string(Enumerable.Range(0, random.Next(3, 9)).Select(_ => letters[random.Next(letters.Length)]).ToArray()))
            .ToArray();
        var documents = new List<IndexedDocument>();
        for (var d = 0; d * perDocument < chunks; d++)
        {
            var list = new List<ChunkToIndex>();
            var position = 0;
            for (var c = 0; c < perDocument && (d * perDocument) + c < chunks; c++)
            {
                var terms = Enumerable.Range(0, 150).Select(_ => vocabulary[(int)Math.Pow(random.NextDouble(), 2) * vocabulary.Length]).ToArray();
                var text = string.Join(' ', terms);
                var ngrams = terms.SelectMany(t => Enumerable.Range(0, Math.Max(1, t.Length - 2)).Select(i => t.Length < 3 ? t : t.Substring(i, 3))).ToArray();
                float[]? vector = dimensions > 0 ? Enumerable.Range(0, dimensions).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray() : null;
                list.Add(new ChunkToIndex(c, position, position + text.Length, text, "ar", terms, ngrams, vector));
                position += text.Length + 1;
            }
            var id = $"doc-{d:D5}";
            documents.Add(new IndexedDocument(
                new StoredDocument(id, id + ".md", "عنوان " + id, "ar", "2025-01-01", "bench", "hash-" + id, string.Join('\n', list.Select(x => x.Text)), DateTimeOffset.UnixEpoch),
                list));
        }
        return documents;
    }
}
