using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>The contract suite against the schema-validating loopback Qdrant; every request and answer must match openapi-v1.19.json.</summary>
public sealed class QdrantLoopbackContractTests : IndexStoreContractTests
{
    private static readonly HttpClient s_http = new();
    private FakeQdrantServer? _server;

    protected override async Task<IIndexStore> CreateStoreAsync()
    {
        _server ??= await FakeQdrantServer.StartAsync();
        var store = new QdrantIndexStore(s_http, new QdrantOptions
        {
            Url = _server.Url,
            Collection = "contract_" + Guid.NewGuid().ToString("N")[..8],
            RetryBaseDelay = TimeSpan.Zero,
            BatchSize = 2,
        });
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
                if (_server is not null)
        {
            await _server.DisposeAsync();
            Assert.False(_server.Requests.IsEmpty, "no request reached the fake Qdrant");
            Assert.True(_server.SchemaErrors.IsEmpty, "Requests or answers that break openapi-v1.19.json:\n" + string.Join("\n", _server.SchemaErrors.Distinct()));
        }
    }
}

/// <summary>The contract suite against a live Qdrant (POLICYCHAT_QDRANT_URL, optional POLICYCHAT_QDRANT_API_KEY); skipped when unset.</summary>
[RequiresEnvironment(QdrantLiveFactAttribute.Variable, "set it to a live Qdrant REST URL (e.g. http://localhost:6333) to run the index-store contract against Qdrant.")]
public sealed class QdrantLiveContractTests : IndexStoreContractTests
{
    private static readonly HttpClient s_http = new();
    private readonly List<string> _collections = [];

    internal static QdrantOptions LiveOptions(string collection) => new()
    {
        Url = Environment.GetEnvironmentVariable(QdrantLiveFactAttribute.Variable) ?? "http://localhost:6333",
        ApiKey = Environment.GetEnvironmentVariable("POLICYCHAT_QDRANT_API_KEY"),
        Collection = collection,
    };

    protected override async Task<IIndexStore> CreateStoreAsync()
    {
        var collection = "policychat_test_" + Guid.NewGuid().ToString("N")[..12];
        _collections.Add(collection);
        var store = new QdrantIndexStore(s_http, LiveOptions(collection));
        await store.InitializeAsync();
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var collection in _collections)
        {
            var options = LiveOptions(collection);
            foreach (var name in new[] { options.Collection, options.DocumentsCollection })
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, $"{options.Url.TrimEnd('/')}/collections/{name}");
                if (options.ApiKey is not null)
                {
                    request.Headers.Add("api-key", options.ApiKey);
                }
                using var _ = await s_http.SendAsync(request);
            }
        }
            }

    [QdrantLiveFact]
    public async Task InitializeAsync_LiveServer_CreatesBothCollectionsIdempotently()
    {
        var store = (QdrantIndexStore)await CreateStoreAsync();
        await store.InitializeAsync(); // second time: existing collections are fine
        var options = LiveOptions(_collections[^1]);
        using var response = await s_http.GetAsync($"{options.Url.TrimEnd('/')}/collections/{options.DocumentsCollection}/exists");
        Assert.Contains("\"exists\":true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await store.DisposeAsync();
    }
}
