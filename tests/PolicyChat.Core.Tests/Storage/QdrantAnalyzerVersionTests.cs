using Microsoft.Extensions.Logging;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Core.Text;
using PolicyChat.Testing.Qdrant;
using Qdrant.Client.Grpc;
using static PolicyChat.Core.Tests.Storage.QdrantIndexStoreTests;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>The text analyzer version a Qdrant collection's sparse vectors were written with, against the fake Qdrant.</summary>
public sealed class QdrantAnalyzerVersionTests : IAsyncLifetime
{
    private const string Collection = "pc_analyzer";
    private const string Documents = Collection + "_documents";
    private FakeQdrant _server = null!;
    private readonly ListLogger _log = new();

    public async Task InitializeAsync() => _server = await FakeQdrant.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task NewCollection_RecordsTheCurrentVersionWithItsFirstDocument()
    {
        await using (var store = NewStore())
        {
            await store.InitializeAsync();
            Assert.Equal(TextAnalyzer.Version, store.AnalyzerVersion);
            Assert.DoesNotContain(_server.Engine.Payloads(Documents), p => p["kind"].StringValue == "analyzer"); // nothing written yet
            await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 2));
            await store.UpsertDocumentAsync(Doc("b", "h", "beta", 2));
        }

        var recorded = Assert.Single(_server.Engine.Payloads(Documents), p => p["kind"].StringValue == "analyzer");
        Assert.Equal(TextAnalyzer.Version, recorded["version"].IntegerValue);
        await using var reopened = NewStore();
        await reopened.InitializeAsync();
        Assert.Equal(TextAnalyzer.Version, reopened.AnalyzerVersion);
        Assert.Equal(["a", "b"], (await reopened.GetDocumentStatesAsync()).Select(d => d.Id).Order(StringComparer.Ordinal)); // not a document
        Assert.Empty(_log.Warnings);
    }

    [Theory]
    [InlineData(true)] // chunks written before versions were recorded: version 1
    [InlineData(false)] // an older version recorded
    public async Task CollectionOfAnOlderVersion_IsReportedWithTheReindexCommand(bool unrecorded)
    {
        await using (var writer = NewStore())
        {
            await writer.UpsertDocumentAsync(Doc("a", "h", "alpha", 2));
        }
        _server.Engine.Upsert(new UpsertPoints { CollectionName = Documents, Points = { QdrantPayloads.Analyzer(TextAnalyzer.Version - 1) } });
        if (unrecorded)
        {
            _server.Engine.Delete(new DeletePoints
            {
                CollectionName = Documents,
                Points = new PointsSelector { Points = new PointsIdsList { Ids = { new PointId { Uuid = QdrantPointIds.Analyzer.ToString() } } } },
            });
        }

        await using var store = NewStore();
        await store.InitializeAsync();
        await store.UpsertDocumentAsync(Doc("b", "h", "beta", 1)); // new documents do not make the collection current

        Assert.Equal(TextAnalyzer.Version - 1, store.AnalyzerVersion);
        var warning = Assert.Single(_log.Warnings);
        Assert.Contains($"version {TextAnalyzer.Version - 1}", warning, StringComparison.Ordinal);
        Assert.Contains($"policychat reindex --from qdrant --from-collection {Collection} --collection {Collection}_v{TextAnalyzer.Version}", warning, StringComparison.Ordinal);
        Assert.Equal(unrecorded ? 0 : 1, _server.Engine.Payloads(Documents).Count(p => p["kind"].StringValue == "analyzer"));
        Assert.Equal(2, (await store.GetDocumentStatesAsync()).Count);
    }

    private QdrantIndexStore NewStore() =>
        new(new QdrantOptions { Url = _server.Url, Collection = Collection, RetryBaseDelay = TimeSpan.Zero }, _log, _ => _server.CreateHandler());

    private sealed class ListLogger : ILogger<QdrantIndexStore>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
