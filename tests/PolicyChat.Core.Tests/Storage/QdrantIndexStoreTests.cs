using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>Request-level behaviour of <see cref="QdrantIndexStore"/> against the schema-validating loopback Qdrant.</summary>
public sealed class QdrantIndexStoreTests : IAsyncLifetime
{
    private const string Collection = "pc_test";
    private static readonly HttpClient s_http = new();
    private FakeQdrantServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeQdrantServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Assert.True(_server.SchemaErrors.IsEmpty, "Requests or answers that break openapi-v1.19.json:\n" + string.Join("\n", _server.SchemaErrors.Distinct()));
    }

    private QdrantIndexStore NewStore(Action<QdrantOptions>? configure = null)
    {
        var options = new QdrantOptions { Url = _server.Url, Collection = Collection, RetryBaseDelay = TimeSpan.Zero, BatchSize = 2 };
        configure?.Invoke(options);
        return new QdrantIndexStore(s_http, options);
    }

    private static IndexedDocument Doc(string id, string hash, string prefix, int chunks)
    {
        var texts = Enumerable.Range(0, chunks).Select(i => $"{prefix} {i}").ToList();
        var text = string.Join("\n", texts);
        var indexed = new List<ChunkToIndex>();
        var position = 0;
        for (var i = 0; i < chunks; i++)
        {
            indexed.Add(new ChunkToIndex(i, position, position + texts[i].Length, texts[i], "en", [prefix, "shared", $"{prefix}{i}"], [prefix[..Math.Min(3, prefix.Length)]]));
            position += texts[i].Length + 1;
        }
        return new IndexedDocument(new StoredDocument(id, id + ".md", "T " + id, "en", null, null, hash, text, DateTimeOffset.UnixEpoch), indexed);
    }

    private static IndexQuery Words(params string[] terms) => new(terms, [], null, 20);

    private IEnumerable<RecordedRequest> Requests(string operationId) => _server.Requests.Where(r => r.OperationId == operationId);

    private static bool IsChunkUpsert(RecordedRequest r) => r.OperationId == "upsert_points" && r.Collection == Collection;

    [Fact]
    public async Task InitializeAsync_NewServer_CreatesCollectionsWithDocumentedBodies()
    {
        await using var store = NewStore(o => { o.Shards = 2; o.Replicas = 3; o.DenseDimensions = 8; });

        await store.InitializeAsync();

        var create = JsonNode.Parse(Requests("create_collection").Single(r => r.Collection == Collection).Body)!;
        Assert.Equal(8, create["vectors"]!["dense"]!["size"]!.GetValue<int>());
        Assert.Equal("Cosine", create["vectors"]!["dense"]!["distance"]!.GetValue<string>());
        Assert.Equal("idf", create["sparse_vectors"]!["bm25"]!["modifier"]!.GetValue<string>());
        Assert.Equal("idf", create["sparse_vectors"]!["ngram"]!["modifier"]!.GetValue<string>());
        Assert.Equal(2, create["shard_number"]!.GetValue<int>());
        Assert.Equal(3, create["replication_factor"]!.GetValue<int>());
        Assert.Contains(Requests("create_collection"), r => r.Collection == Collection + "_documents");
        var indexed = Requests("create_field_index").Where(r => r.Collection == Collection).ToList();
        Assert.All(indexed, r => Assert.Equal("?wait=true", r.Query));
        Assert.Equal(["doc_id", "language", "version"], indexed.Select(r => JsonNode.Parse(r.Body)!["field_name"]!.GetValue<string>()).Order());
        Assert.All(indexed, r => Assert.Equal("keyword", JsonNode.Parse(r.Body)!["field_schema"]!.GetValue<string>()));
        Assert.Equal(8, store.DenseDimensions);
    }

    [Fact]
    public async Task InitializeAsync_CalledTwice_ChecksExistenceAndDoesNotRecreate()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        await store.InitializeAsync();

        Assert.Equal(2, Requests("create_collection").Count());
        Assert.Equal(4, Requests("collection_exists").Count());
    }

    [Fact]
    public async Task InitializeAsync_CreateAnswers409_TreatsCollectionAsExisting()
    {
        await using (var first = NewStore())
        {
            await first.InitializeAsync();
        }
        // Another process created it between our existence check and our create: the check says no, create says 409.
        _server.AddFault(new FaultRule { When = r => r.OperationId == "collection_exists", Times = 2, Status = 200, Body = """{"result":{"exists":false},"status":"ok","time":0.0}""" });
        await using var store = NewStore();

        await store.InitializeAsync();

        Assert.Equal(4, Requests("create_collection").Count());
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));
        Assert.Single(await store.SearchAsync(Words("alpha")));
    }

    [Fact]
    public async Task InitializeAsync_ExistingDenseSizeDiffers_ThrowsNamingBothSizes()
    {
        await using (var first = NewStore(o => o.DenseDimensions = 8))
        {
            await first.InitializeAsync();
        }
        await using var store = NewStore(o => o.DenseDimensions = 4);

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.InitializeAsync());

        Assert.Contains("8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_ApiKeySet_SendApiKeyHeaderOnEveryRequest()
    {
        _server.RequiredApiKey = "s3cret";
        await using var store = NewStore(o => o.ApiKey = "s3cret");

        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 3));
        var hits = await store.SearchAsync(Words("alpha"));

        Assert.Equal(3, hits.Count);
        var calls = _server.Requests.Where(r => r.OperationId is not "readyz").ToList();
        Assert.True(calls.Count > 5);
        Assert.All(calls, r => Assert.Equal("s3cret", r.ApiKey));
    }

    [Fact]
    public async Task Requests_WrongApiKey_ThrowPlainText401AsClearQdrantExceptionWithoutRetry()
    {
        _server.RequiredApiKey = "s3cret";
        await using var store = NewStore(o => o.ApiKey = "wrong");

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.InitializeAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("Must provide an API key or an Authorization bearer token", ex.ServerError);
        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Must provide an API key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qdrant:ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Single(Requests("collection_exists"));
    }

    [Fact]
    public async Task UpsertDocumentAsync_429ThenSuccess_RetriesAndSucceeds()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        var fault = _server.AddFault(new FaultRule
        {
            When = r => r.OperationId == "upsert_points", Times = 2, Status = 429,
            Body = """{"status":{"error":"Too many requests"},"time":0.0}""",
        });

        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));

        Assert.Equal(2, fault.Fired);
        Assert.Single(await store.SearchAsync(Words("alpha")));
    }

    [Fact]
    public async Task SearchAsync_503ThenSuccess_RetriesAndReturnsHits()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 2));
        var fault = _server.AddFault(new FaultRule { When = r => r.OperationId == "query_batch_points", Times = 1, Status = 503 });

        var hits = await store.SearchAsync(Words("alpha"));

        Assert.Equal(1, fault.Fired);
        Assert.Equal(2, hits.Count);
        Assert.Equal(2, Requests("query_batch_points").Count());
    }

    [Fact]
    public async Task Requests_503Persisting_ThrowAfterConfiguredRetriesWithStatusAndServerText()
    {
        await using var store = NewStore(o => o.Retries = 2);
        await store.InitializeAsync();
        var fault = _server.AddFault(new FaultRule { When = r => r.OperationId == "count_points", Times = 100, Status = 503 });

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.GetStatsAsync());

        Assert.Equal(3, fault.Fired);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Contains("Service Unavailable: injected by the test", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_SlowAnswer_TimeOutPerAttemptAndRetry()
    {
        await using var store = NewStore(o => o.TimeoutSeconds = 1);
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));
        var fault = _server.AddFault(new FaultRule { When = r => r.OperationId == "count_points", Times = 1, Status = 0, Delay = TimeSpan.FromSeconds(5) });

        var stats = await store.GetStatsAsync();

        Assert.Equal(1, fault.Fired);
        Assert.Equal(1, stats.Documents);
    }

    [Fact]
    public async Task SearchAsync_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));
        _server.AddFault(new FaultRule { When = r => r.OperationId == "query_batch_points", Times = 1, Status = 0, Delay = TimeSpan.FromSeconds(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SearchAsync(Words("alpha"), cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SearchAsync_CollectionDeleted_Throws404WithQdrantText()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        _server.Engine.Execute("delete_collection", new Dictionary<string, string> { ["collection_name"] = Collection }, null);

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.SearchAsync(Words("alpha")));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("Collection `pc_test` doesn't exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_ReadyzAnswers503_WaitsUntilReady()
    {
        _server.ReadyzFailures = 3;
        await using var store = NewStore();

        await store.InitializeAsync();

        Assert.Equal(4, _server.ReadyzCalls);
        Assert.Equal(2, Requests("create_collection").Count());
    }

    [Fact]
    public async Task InitializeAsync_ReadyzNeverReady_ThrowsAfterBoundedWait()
    {
        _server.ReadyzFailures = int.MaxValue;
        await using var store = NewStore(o => o.ReadyTimeoutSeconds = 1);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.InitializeAsync());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Contains("/readyz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.True(_server.ReadyzCalls > 1);
        Assert.Empty(Requests("create_collection"));
    }

    [Fact]
    public async Task UpsertDocumentAsync_ServerFailsMidway_OldVersionStaysSearchableWithoutDuplicates()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "v1", "old", 5));
        _server.AddFault(new FaultRule { When = IsChunkUpsert, Skip = 1, Times = int.MaxValue, Status = 500, Body = """{"status":{"error":"Service internal error: disk full"},"time":0.0}""" });

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.UpsertDocumentAsync(Doc("a", "v2", "new", 5)));

        Assert.Contains("disk full", ex.Message, StringComparison.Ordinal);
        var old = await store.SearchAsync(Words("shared"));
        Assert.Equal([0, 1, 2, 3, 4], old.Select(h => h.Ordinal).Order());
        Assert.All(old, h => Assert.StartsWith("old ", h.Text, StringComparison.Ordinal));
        Assert.Empty(await store.SearchAsync(Words("new")));
        Assert.Equal(5, _server.Engine.PointCount(Collection)); // the partial new version was removed
        Assert.Equal("v1", (await store.GetDocumentAsync("a"))!.ContentHash);

        _server.ClearFaults();
        await store.UpsertDocumentAsync(Doc("a", "v2", "new", 5));

        Assert.Empty(await store.SearchAsync(Words("old")));
        Assert.Equal(5, (await store.SearchAsync(Words("new"))).Count);
        Assert.Equal(5, _server.Engine.PointCount(Collection));
    }

    [Fact]
    public async Task UpsertDocumentAsync_FailsMidwayAndCleanupFails_PartialVersionStaysHidden()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "v1", "old", 5));
        _server.AddFault(new FaultRule { When = IsChunkUpsert, Skip = 1, Times = int.MaxValue, Status = 500 });
        _server.AddFault(new FaultRule { When = r => r.OperationId == "delete_points", Times = int.MaxValue, Status = 500 });

        await Assert.ThrowsAsync<QdrantException>(() => store.UpsertDocumentAsync(Doc("a", "v2", "new", 5)));

        Assert.Equal(7, _server.Engine.PointCount(Collection)); // 5 old + 2 uncommitted new points left behind
        var hits = await store.SearchAsync(Words("shared", "new"));
        Assert.Equal(5, hits.Count);
        Assert.All(hits, h => Assert.StartsWith("old ", h.Text, StringComparison.Ordinal));

        _server.ClearFaults();
        Assert.True(await store.DeleteDocumentAsync("a"));
        Assert.Equal(0, _server.Engine.PointCount(Collection));
    }

    [Fact]
    public async Task UpsertDocumentAsync_RegistryCommitFails_OldVersionStaysAndNewChunksAreRemoved()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "v1", "old", 3));
        _server.AddFault(new FaultRule
        {
            When = r => r.OperationId == "upsert_points" && r.Collection == Collection + "_documents", Times = int.MaxValue, Status = 500,
        });

        await Assert.ThrowsAsync<QdrantException>(() => store.UpsertDocumentAsync(Doc("a", "v2", "new", 3)));

        Assert.Equal(3, (await store.SearchAsync(Words("shared"))).Count(h => h.Text.StartsWith("old ", StringComparison.Ordinal)));
        Assert.Empty(await store.SearchAsync(Words("new")));
        Assert.Equal(3, _server.Engine.PointCount(Collection));
        Assert.Equal("v1", Assert.Single(await store.GetDocumentStatesAsync()).ContentHash);
    }

    [Fact]
    public async Task SearchAsync_AllLegsAndFilter_SendsOneBatchWithTheFilterInEveryLeg()
    {
        await using var store = NewStore(o => o.DenseDimensions = 3);
        await store.InitializeAsync();

        await store.SearchAsync(new IndexQuery(["law"], ["law"], [1, 0, 0], 7, new SearchFilter(["d1", "d2"], ["ar"]), new FusionWeights(CandidatesPerLeg: 30)));

        var body = JsonNode.Parse(Requests("query_batch_points").Single().Body)!;
        var searches = body["searches"]!.AsArray();
        Assert.Equal(["bm25", "ngram", "dense"], searches.Select(s => s!["using"]!.GetValue<string>()));
        foreach (var search in searches)
        {
            Assert.Equal(30, search!["limit"]!.GetValue<int>());
            var must = search["filter"]!["must"]!.AsArray();
            Assert.Equal("""{"key":"doc_id","match":{"any":["d1","d2"]}}""", must[0]!.ToJsonString());
            Assert.Equal("""{"key":"language","match":{"value":"ar"}}""", must[1]!.ToJsonString());
        }
    }

    [Fact]
    public async Task SearchAsync_ServerSideFusion_SendsPrefetchPerLegWithWeightedRrf()
    {
        await using var store = NewStore(o => { o.DenseDimensions = 3; o.ServerSideFusion = true; });
        await store.InitializeAsync();
        await store.SetEmbedderAsync(new EmbedderInfo("http://e", "m", 3));
        foreach (var (id, term, vector) in new[] { ("d1", "law", new float[] { 1, 0, 0 }), ("d2", "court", new float[] { 0, 1, 0 }) })
        {
            var chunk = new ChunkToIndex(0, 0, 4, term, "ar", [term], [term], vector);
            await store.UpsertDocumentAsync(new IndexedDocument(new StoredDocument(id, id + ".md", "t " + id, "ar", null, null, "h" + id, term, DateTimeOffset.UnixEpoch), [chunk]));
        }

        var hits = await store.SearchAsync(new IndexQuery(["law"], ["law"], [1, 0, 0], 2, new SearchFilter(null, ["ar"]), new FusionWeights(1.0, 1.5, 0.5, 60, 30)));

        Assert.Equal("d1", hits[0].DocumentId);
        var body = JsonNode.Parse(Requests("query_points").Single().Body)!;
        var prefetch = body["prefetch"]!.AsArray();
        Assert.Equal(["bm25", "ngram", "dense"], prefetch.Select(p => p!["using"]!.GetValue<string>()));
        Assert.All(prefetch, p => Assert.Equal("""{"key":"language","match":{"value":"ar"}}""", p!["filter"]!["must"]![0]!.ToJsonString()));
        Assert.Equal([1.0, 1.5, 0.5], body["query"]!["rrf"]!["weights"]!.AsArray().Select(w => w!.GetValue<double>()));
        Assert.Equal(60, body["query"]!["rrf"]!["k"]!.GetValue<int>());
        Assert.Empty(Requests("query_batch_points"));
    }

    [Fact]
    public async Task UpsertDocumentAsync_SparseVectors_CarryFnvIdsAndBm25Weights()
    {
        await using var store = NewStore();
        var chunk = new ChunkToIndex(0, 0, 5, "a a b", "en", ["a", "a", "b"], ["x"]);
        await store.UpsertDocumentAsync(new IndexedDocument(new StoredDocument("d", "d.md", "t", "en", null, null, "h", "a a b", DateTimeOffset.UnixEpoch), [chunk]));

        var upsert = JsonNode.Parse(Requests("upsert_points").First(r => r.Collection == Collection).Body)!;
        var bm25 = upsert["points"]![0]!["vector"]!["bm25"]!;
        var expected = new Dictionary<uint, double> { [QdrantSparseVectors.TermId("a")] = 2 * 2.2 / (2 + 1.2), [QdrantSparseVectors.TermId("b")] = 2.2 / (1 + 1.2) };
        var sent = bm25["indices"]!.AsArray().Select(i => i!.GetValue<uint>())
            .Zip(bm25["values"]!.AsArray().Select(v => v!.GetValue<double>()))
            .ToDictionary(x => x.First, x => x.Second);
        Assert.Equal(expected.Keys.Order(), sent.Keys.Order());
        Assert.All(expected, e => Assert.Equal(e.Value, sent[e.Key], 6));
        Assert.Equal("?wait=true", Requests("upsert_points").First().Query);
    }

    [Fact]
    public async Task UpsertDocumentAsync_ManyChunks_SendsBatchesOfConfiguredSize()
    {
        await using var store = NewStore(o => o.BatchSize = 3);

        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 7));

        var sizes = Requests("upsert_points").Where(r => r.Collection == Collection).Select(r => JsonNode.Parse(r.Body)!["points"]!.AsArray().Count);
        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(7, (await store.GetStatsAsync()).Chunks);
    }

    [Fact]
    public async Task SetEmbedderAsync_CollectionWithoutDense_AddsNamedDenseVector()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        Assert.Null(store.DenseDimensions);

        await store.SetEmbedderAsync(new EmbedderInfo("http://e", "m", 4));

        Assert.Equal(4, store.DenseDimensions);
        var create = Assert.Single(Requests("create_vector_name"));
        Assert.EndsWith("/vectors/dense", create.Path, StringComparison.Ordinal);
        Assert.Equal("""{"dense":{"size":4,"distance":"Cosine"}}""", create.Body);
    }

    [Fact]
    public async Task SetEmbedderAsync_WithTokenizer_ReadsItBack()
    {
        await using var store = NewStore();
        await store.InitializeAsync();

        await store.SetEmbedderAsync(new EmbedderInfo("http://e", "m", 4, "sentencepiece:bge-m3.model"));
        var recorded = await store.GetEmbedderAsync();

        Assert.Equal(new EmbedderInfo("http://e", "m", 4, "sentencepiece:bge-m3.model"), recorded);
    }

    [Fact]
    public async Task SetEmbedderAsync_DifferentDimensions_ThrowsClearError()
    {
        await using var store = NewStore(o => o.DenseDimensions = 8);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetEmbedderAsync(new EmbedderInfo("http://e", "small", 4)));

        Assert.Contains("8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("small", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertDocumentAsync_VectorsWithoutDenseVector_ThrowsBeforeWriting()
    {
        await using var store = NewStore();
        var chunk = new ChunkToIndex(0, 0, 1, "a", "en", ["a"], [], [1, 0]);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.UpsertDocumentAsync(new IndexedDocument(new StoredDocument("d", "d", "t", "en", null, null, "h", "a", DateTimeOffset.UnixEpoch), [chunk])));

        Assert.Empty(Requests("upsert_points"));
    }

    [Fact]
    public async Task ListDocumentsAsync_MoreThanOnePage_FollowsNextPageOffset()
    {
        await using var store = NewStore();
        for (var i = 0; i < 260; i++)
        {
            await store.UpsertDocumentAsync(Doc($"doc-{i:D3}", "h", "x", 0));
        }

        var listed = await store.ListDocumentsAsync();

        Assert.Equal(Enumerable.Range(0, 260).Select(i => $"doc-{i:D3}"), listed.Select(d => d.Id));
        var scrolls = Requests("scroll_points").Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Contains(scrolls, s => s["offset"] is not null);
    }
}
