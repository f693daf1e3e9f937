using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Testing.Qdrant;
using Qdrant.Client.Grpc;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>Call-level behaviour of <see cref="QdrantIndexStore"/> against the in-process fake Qdrant gRPC server: requests, retries, faults.</summary>
public sealed class QdrantIndexStoreTests : IAsyncLifetime
{
    private const string Collection = "pc_test";
    private FakeQdrant _server = null!;

    public async Task InitializeAsync() => _server = await FakeQdrant.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private QdrantIndexStore NewStore(Action<QdrantOptions>? configure = null)
    {
        var options = new QdrantOptions { Url = _server.Url, Collection = Collection, RetryBaseDelay = TimeSpan.Zero, BatchSize = 2 };
        configure?.Invoke(options);
        return new QdrantIndexStore(options, null, _ => _server.CreateHandler());
    }

    internal static IndexedDocument Doc(string id, string hash, string prefix, int chunks)
    {
        var texts = Enumerable.Range(0, chunks).Select(i => $"{prefix} {i}").ToList();
        var indexed = new List<ChunkToIndex>();
        var position = 0;
        for (var i = 0; i < chunks; i++)
        {
            indexed.Add(new ChunkToIndex(i, position, position + texts[i].Length, texts[i], "en", [prefix, "shared", $"{prefix}{i}"], [prefix[..Math.Min(3, prefix.Length)]]));
            position += texts[i].Length + 1;
        }
        return new IndexedDocument(new StoredDocument(id, id + ".md", "T " + id, "en", null, null, hash, string.Join("\n", texts), DateTimeOffset.UnixEpoch), indexed);
    }

    internal static IndexQuery Words(params string[] terms) => new(terms, [], null, 20);

    private static bool IsChunkUpsert(IMessage m) => ((UpsertPoints)m).CollectionName == Collection;

    [Fact]
    public async Task InitializeAsync_NewServer_CreatesNamedVectorsWithIdfShardsAndKeywordIndexes()
    {
        await using var store = NewStore(o => { o.Shards = 2; o.Replicas = 3; o.DenseDimensions = 8; });

        await store.InitializeAsync();

        var create = _server.Engine.CreateRequest(Collection)!;
        var dense = create.VectorsConfig.ParamsMap.Map["dense"];
        Assert.Equal((8ul, Distance.Cosine), (dense.Size, dense.Distance));
        Assert.Equal(Modifier.Idf, create.SparseVectorsConfig.Map["bm25"].Modifier);
        Assert.Equal(Modifier.Idf, create.SparseVectorsConfig.Map["ngram"].Modifier);
        Assert.Equal((2u, 3u), (create.ShardNumber, create.ReplicationFactor));
        Assert.True(_server.Engine.HasCollection(Collection + "_documents"));
        var indexes = _server.Requests<CreateFieldIndexCollection>("CreateFieldIndex").Where(r => r.CollectionName == Collection).ToList();
        Assert.Equal(["doc_id", "language", "version"], indexes.Select(r => r.FieldName).Order());
        Assert.All(indexes, r => Assert.Equal((FieldType.Keyword, true), (r.FieldType, r.Wait)));
        Assert.Equal(8, store.DenseDimensions);
        Assert.Equal("1.17.0", store.ServerVersion);
    }

    [Fact]
    public async Task InitializeAsync_CalledTwice_ChecksExistenceAndDoesNotRecreate()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        await store.InitializeAsync();

        Assert.Equal(2, _server.Requests<CreateCollection>("CreateCollection").Count());
        Assert.Equal(4, _server.Requests<CollectionExistsRequest>("CollectionExists").Count());
    }

    [Fact]
    public async Task InitializeAsync_CollectionCreatedConcurrently_TreatsAlreadyExistsAsExisting()
    {
        // Another process creates the collection between our existence check and our create: Qdrant answers AlreadyExists.
        var race = _server.AddFault(new FakeQdrantFault { Method = "CreateCollection", Status = StatusCode.OK, Times = 2, Then = m => _server.Engine.Create((CreateCollection)m) });
        await using var store = NewStore();

        await store.InitializeAsync();
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));

        Assert.Equal(2, race.Fired);
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

        Assert.Contains("8 dimensions but 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_HealthCheckUnavailableThrice_WaitsUntilHealthy()
    {
        var down = _server.AddFault(new FakeQdrantFault { Method = "HealthCheck", Times = 3 });
        await using var store = NewStore(o => o.Retries = 0);

        await store.InitializeAsync();

        Assert.Equal(3, down.Fired);
        Assert.Equal(4, _server.Calls.Count(c => c.Method == "HealthCheck"));
        Assert.Equal(2, _server.Requests<CreateCollection>("CreateCollection").Count());
    }

    [Fact]
    public async Task InitializeAsync_HealthCheckNeverAnswers_ThrowsAfterBoundedWaitWithClearMessage()
    {
        _server.AddFault(new FakeQdrantFault { Method = "HealthCheck", Times = int.MaxValue, Detail = "node is starting" });
        await using var store = NewStore(o => o.ReadyTimeoutSeconds = 1);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.InitializeAsync());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.Contains("health check within 1 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("node is starting", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qdrant:Url", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qdrant:ReadyTimeoutSeconds", ex.Message, StringComparison.Ordinal);
        Assert.True(_server.Calls.Count(c => c.Method == "HealthCheck") > 1);
        Assert.Empty(_server.Requests<CreateCollection>("CreateCollection"));
    }

    [Fact]
    public async Task Calls_ApiKeySet_CarryTheApiKeyHeaderOnEveryCall()
    {
        _server.RequiredApiKey = "s3cret";
        await using var store = NewStore(o => o.ApiKey = "s3cret");

        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 3));
        var hits = await store.SearchAsync(Words("alpha"));

        Assert.Equal(3, hits.Count);
        Assert.True(_server.Calls.Count > 5);
        Assert.All(_server.Calls, c => Assert.Equal("s3cret", c.ApiKey));
    }

    [Fact]
    public async Task Calls_WrongApiKey_ThrowUnauthenticatedNamingTheSettingWithoutRetry()
    {
        _server.RequiredApiKey = "s3cret";
        await using var store = NewStore(o => o.ApiKey = "wrong");

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.InitializeAsync());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("Invalid api-key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qdrant:ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Single(_server.Calls);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.ResourceExhausted)]
    public async Task UpsertDocumentAsync_TransientStatusTwice_RetriesAndSucceeds(StatusCode status)
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        var fault = _server.AddFault(new FakeQdrantFault { Method = "Upsert", Times = 2, Status = status });

        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));

        Assert.Equal(2, fault.Fired);
        Assert.Single(await store.SearchAsync(Words("alpha")));
    }

    [Fact]
    public async Task Calls_UnavailablePersisting_ThrowAfterConfiguredRetriesNamingTheUrl()
    {
        await using var store = NewStore(o => o.Retries = 2);
        await store.InitializeAsync();
        var fault = _server.AddFault(new FakeQdrantFault { Method = "Count", Times = 100 });

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.GetStatsAsync());

        Assert.Equal(3, fault.Fired);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("injected by the test", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qdrant:Url", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsertDocumentAsync_InvalidArgument_IsNotRetriedAndKeepsTheOldVersion()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "v1", "old", 2));
        var fault = _server.AddFault(new FakeQdrantFault { Method = "Upsert", Times = 100, Status = StatusCode.InvalidArgument, Detail = "Wrong input: payload too large" });

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.UpsertDocumentAsync(Doc("a", "v2", "new", 2)));

        Assert.Equal(1, fault.Fired);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("Wrong input: payload too large", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await store.SearchAsync(Words("old"))).Count);
        Assert.Equal("v1", (await store.GetDocumentAsync("a"))!.ContentHash);
    }

    [Fact]
    public async Task SearchAsync_CollectionDeleted_ThrowsNotFoundWithQdrantText()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        _server.Engine.Delete(Collection);

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.SearchAsync(Words("alpha")));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("Collection `pc_test` doesn't exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Qdrant:Collection", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAsync_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));
        _server.AddFault(new FakeQdrantFault { Method = "QueryBatch", Status = StatusCode.OK, Delay = TimeSpan.FromSeconds(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SearchAsync(Words("alpha"), cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task UpsertDocumentAsync_ServerFailsMidway_OldVersionStaysSearchableWithoutDuplicates()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "v1", "old", 5));
        _server.AddFault(new FakeQdrantFault { Method = "Upsert", When = IsChunkUpsert, Skip = 1, Times = int.MaxValue, Status = StatusCode.Internal, Detail = "Service internal error: disk full" });

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
        _server.AddFault(new FakeQdrantFault { Method = "Upsert", When = IsChunkUpsert, Skip = 1, Times = int.MaxValue, Status = StatusCode.Internal });
        _server.AddFault(new FakeQdrantFault { Method = "Delete", Times = int.MaxValue, Status = StatusCode.Internal });

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
        _server.AddFault(new FakeQdrantFault { Method = "Upsert", When = m => !IsChunkUpsert(m), Times = int.MaxValue, Status = StatusCode.Internal });

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

        var batch = Assert.Single(_server.Requests<QueryBatchPoints>("QueryBatch"));
        Assert.Equal(["bm25", "ngram", "dense"], batch.QueryPoints.Select(q => q.Using));
        foreach (var query in batch.QueryPoints)
        {
            Assert.Equal(30ul, query.Limit);
            Assert.Equal(["d1", "d2"], query.Filter.Must[0].Field.Match.Keywords.Strings);
            Assert.Equal(("doc_id", "language"), (query.Filter.Must[0].Field.Key, query.Filter.Must[1].Field.Key));
            Assert.Equal(["ar"], query.Filter.Must[1].Field.Match.Keywords.Strings);
        }
        Assert.Equal(VectorInput.VariantOneofCase.Sparse, batch.QueryPoints[0].Query.Nearest.VariantCase);
        Assert.Equal([1f, 0f, 0f], batch.QueryPoints[2].Query.Nearest.Dense.Data);
    }

    [Theory]
    [InlineData("1.17.0", true)]
    [InlineData("1.16.2", false)]
    public async Task SearchAsync_ServerSideFusion_SendsPrefetchPerLegWithRrfWeightedWhenSupported(string version, bool weighted)
    {
        _server.Version = version;
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
        var query = Assert.Single(_server.Requests<QueryPoints>("Query"));
        Assert.Equal(["bm25", "ngram", "dense"], query.Prefetch.Select(p => p.Using));
        Assert.All(query.Prefetch, p => Assert.Equal(("language", 30ul), (p.Filter.Must[0].Field.Key, p.Limit)));
        Assert.Equal(60u, query.Query.Rrf.K);
        Assert.Equal(weighted ? [1f, 1.5f, 0.5f] : [], query.Query.Rrf.Weights);
        Assert.Empty(_server.Requests<QueryBatchPoints>("QueryBatch"));
    }

    [Fact]
    public async Task UpsertDocumentAsync_SparseVectors_CarryFnvIdsAndBm25WeightsAndWait()
    {
        await using var store = NewStore();
        var chunk = new ChunkToIndex(0, 0, 5, "a a b", "en", ["a", "a", "b"], ["x"]);
        await store.UpsertDocumentAsync(new IndexedDocument(new StoredDocument("d", "d.md", "t", "en", null, null, "h", "a a b", DateTimeOffset.UnixEpoch), [chunk]));

        var upsert = _server.Requests<UpsertPoints>("Upsert").First(r => r.CollectionName == Collection);
        var bm25 = upsert.Points[0].Vectors.Vectors_.Vectors["bm25"].Sparse;
        var expected = new Dictionary<uint, double> { [QdrantSparseVectors.TermId("a")] = 2 * 2.2 / (2 + 1.2), [QdrantSparseVectors.TermId("b")] = 2.2 / (1 + 1.2) };
        var sent = bm25.Indices.Zip(bm25.Values).ToDictionary(x => x.First, x => (double)x.Second);
        Assert.Equal(expected.Keys.Order(), sent.Keys.Order());
        Assert.All(expected, e => Assert.Equal(e.Value, sent[e.Key], 5));
        Assert.All(_server.Requests<UpsertPoints>("Upsert"), u => Assert.True(u.Wait));
        Assert.Equal("d", upsert.Points[0].Payload["doc_id"].StringValue);
    }

    [Fact]
    public async Task UpsertDocumentAsync_ManyChunks_SendsBatchesOfConfiguredSize()
    {
        await using var store = NewStore(o => o.BatchSize = 3);

        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 7));

        Assert.Equal([3, 3, 1], _server.Requests<UpsertPoints>("Upsert").Where(r => r.CollectionName == Collection).Select(r => r.Points.Count));
        Assert.Equal(7, (await store.GetStatsAsync()).Chunks);
    }

    [Fact]
    public async Task SetEmbedderAsync_EmptyCollectionWithoutDense_RecreatesItWithTheDenseVector()
    {
        await using var store = NewStore();
        await store.InitializeAsync();
        Assert.Null(store.DenseDimensions);

        await store.SetEmbedderAsync(new EmbedderInfo("http://e", "m", 4));

        Assert.Equal(4, store.DenseDimensions);
        Assert.Equal(4ul, _server.Engine.CreateRequest(Collection)!.VectorsConfig.ParamsMap.Map["dense"].Size);
        Assert.Equal(3, _server.Engine.PayloadIndexes(Collection).Count);
        Assert.Equal(new EmbedderInfo("http://e", "m", 4), await store.GetEmbedderAsync());
    }

    [Fact]
    public async Task SetEmbedderAsync_CollectionWithChunksButNoDense_ThrowsNamingDenseDimensionsAndKeepsData()
    {
        await using var store = NewStore();
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 2));

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.SetEmbedderAsync(new EmbedderInfo("http://e", "m", 4)));

        Assert.Contains("Qdrant:DenseDimensions to 4", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.Engine.PointCount(Collection));
        Assert.Empty(_server.Requests<DeleteCollection>("DeleteCollection"));
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

        Assert.Empty(_server.Requests<UpsertPoints>("Upsert"));
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
        Assert.Contains(_server.Requests<ScrollPoints>("Scroll"), s => s.Offset is not null);
    }
}
