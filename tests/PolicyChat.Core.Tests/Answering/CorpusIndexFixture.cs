using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>
/// The sample corpus ingested once (no model, no embeddings) into a temporary SQLite index through the real
/// composition root; tests build their own service providers over that index with the settings they need.
/// </summary>
public sealed class CorpusIndexFixture : IAsyncLifetime
{
    public const string ShanghaiFile = "000_8ed96be78e0ce9ee.txt";
    public const string RussiaFile = "001_45e57ca31d42d5cc.txt";
    public const string DeepSeekFile = "002_faaed5c257539a46.txt";
    public const string EnglishFile = "003_49fd475c3f1fefe0.txt";
    public const string CyberspaceFile = "004_06b77de373cc61be.txt";

    private readonly Dictionary<string, string> _idsByFile = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredDocument> _documents = new(StringComparer.Ordinal);

    public string Root { get; } = TestPaths.NewTempDirectory();

    public string IndexPath => Path.Combine(Root, "index.db");

    public IngestionSummary Ingestion { get; private set; } = null!;

    public string IdOf(string fileName) => _idsByFile[fileName];

    public StoredDocument Document(string documentId) => _documents[documentId];

    public async Task InitializeAsync()
    {
        await using var services = CreateServices();
        Ingestion = await services.GetRequiredService<IngestionPipeline>().IngestAsync([TestPaths.Corpus]);
        var store = services.GetRequiredService<IIndexStore>();
        foreach (var result in Ingestion.Results.Where(r => r.DocumentId is not null))
        {
            _idsByFile[Path.GetFileName(result.Path)] = result.DocumentId!;
            _documents[result.DocumentId!] = (await store.GetDocumentAsync(result.DocumentId!))!;
        }
    }

    public Task DisposeAsync()
    {
        SqliteIndexStore.ClearPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Services over the shared index: no model unless <paramref name="settings"/> sets Llm:Endpoint and Llm:Model,
    /// a conversation database of their own.
    /// </summary>
    public ServiceProvider CreateServices(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Sqlite:Path"] = IndexPath,
            ["Conversations:Path"] = Path.Combine(Root, "conversations-" + Guid.NewGuid().ToString("N") + ".db"),
            ["Llm:Endpoint"] = "",
            ["Llm:Model"] = "",
            ["Answer:PromptsPath"] = TestPaths.Prompts,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddPolicyChat(configuration).BuildServiceProvider();
    }

    /// <summary>Settings that point the chat model at a scripted server.</summary>
    public static Dictionary<string, string?> ModelSettings(string endpoint, string model = AnswerTestKit.ChatModel) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Llm:Endpoint"] = endpoint,
        ["Llm:Model"] = model,
        ["Llm:TimeoutSeconds"] = "10",
        ["Llm:FirstTokenTimeoutSeconds"] = "10",
    };

    /// <summary>Asserts that a citation quotes its document exactly at its offsets.</summary>
    public void AssertQuotesDocument(Citation citation)
    {
        var document = Document(citation.DocumentId);
        Assert.InRange(citation.Start, 0, citation.End);
        Assert.InRange(citation.End, citation.Start, document.Text.Length);
        Assert.Equal(citation.Quote, document.Text[citation.Start..citation.End]);
        Assert.False(string.IsNullOrWhiteSpace(citation.Quote));
        Assert.Equal(document.Title, citation.Title);
    }
}
