using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Testing.Qdrant;
using Qdrant.Client;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>The contract suite against the in-process fake Qdrant gRPC server (TestServer), through Qdrant.Client.</summary>
public sealed class QdrantFakeContractTests : IndexStoreContractTests
{
    private FakeQdrant? _server;

    protected override async Task<IIndexStore> CreateStoreAsync()
    {
        _server ??= await FakeQdrant.StartAsync();
        var store = new QdrantIndexStore(new QdrantOptions
        {
            Url = _server.Url,
            Collection = "contract_" + Guid.NewGuid().ToString("N")[..8],
            RetryBaseDelay = TimeSpan.Zero,
            BatchSize = 2,
        }, null, _ => _server.CreateHandler());
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            Assert.Contains(_server.Calls, c => c.Method == "CreateCollection");
        }
    }
}

/// <summary>The contract suite against a live Qdrant (POLICYCHAT_QDRANT_URL, its gRPC URL; optional POLICYCHAT_QDRANT_API_KEY); skipped when unset.</summary>
[RequiresEnvironment(QdrantLiveFactAttribute.Variable, "set it to a live Qdrant gRPC URL (e.g. http://localhost:6334) to run the index-store contract against Qdrant.")]
public sealed class QdrantLiveContractTests : IndexStoreContractTests
{
    private readonly List<string> _collections = [];

    internal static QdrantOptions LiveOptions(string collection) => new()
    {
        Url = Environment.GetEnvironmentVariable(QdrantLiveFactAttribute.Variable) ?? "http://localhost:6334",
        ApiKey = Environment.GetEnvironmentVariable("POLICYCHAT_QDRANT_API_KEY"),
        Collection = collection,
    };

    protected override async Task<IIndexStore> CreateStoreAsync()
    {
        var collection = "policychat_test_" + Guid.NewGuid().ToString("N")[..12];
        _collections.Add(collection);
        var store = new QdrantIndexStore(LiveOptions(collection));
        await store.InitializeAsync();
        return store;
    }

    private static QdrantClient LiveClient(QdrantOptions options)
    {
        var uri = options.Peers()[0];
        return new QdrantClient(uri.Host, uri.Port, uri.Scheme == Uri.UriSchemeHttps, options.ApiKey);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var collection in _collections)
        {
            var options = LiveOptions(collection);
            using var client = LiveClient(options);
            await client.DeleteCollectionAsync(options.Collection);
            await client.DeleteCollectionAsync(options.DocumentsCollection);
        }
    }

    [QdrantLiveFact]
    public async Task InitializeAsync_LiveServer_CreatesBothCollectionsIdempotently()
    {
        var store = (QdrantIndexStore)await CreateStoreAsync();
        await store.InitializeAsync(); // second time: existing collections are fine
        var options = LiveOptions(_collections[^1]);
        using var client = LiveClient(options);
        Assert.True(await client.CollectionExistsAsync(options.DocumentsCollection));
        Assert.NotNull(store.ServerVersion);
        await store.DisposeAsync();
    }
}
