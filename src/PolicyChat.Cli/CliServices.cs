using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Cli;

/// <summary>
/// The CLI's composition root: the same registrations as the server (AddPolicyChat), configured from
/// `policychat.json` in the working directory (optional), environment variables (`Llm__Endpoint`, `Storage__Provider`…)
/// and the verb's own options (which win).
/// </summary>
internal sealed class CliServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CliServices(ServiceProvider provider) => _provider = provider;

    public IIndexStore Store => _provider.GetRequiredService<IIndexStore>();
    public TextAnalyzer Analyzer => _provider.GetRequiredService<TextAnalyzer>();
    public DocumentIndexer Indexer => _provider.GetRequiredService<DocumentIndexer>();
    public DocumentLoader Loader => _provider.GetRequiredService<DocumentLoader>();
    public HybridRetriever Retriever => _provider.GetRequiredService<HybridRetriever>();
    public IngestionPipeline Pipeline => _provider.GetRequiredService<IngestionPipeline>();
    public AnswerService Answers => _provider.GetRequiredService<AnswerService>();
    public RetrievalOptions RetrievalOptions => Get<Microsoft.Extensions.Options.IOptions<RetrievalOptions>>().Value;
    public OptionalEmbedder Embedder => Get<OptionalEmbedder>();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>Builds the services; <paramref name="overrides"/> are configuration keys set by command-line options.</summary>
    public static CliServices Create(string? dbPath, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(dbPath))
        {
            settings["Storage:Sqlite:Path"] = dbPath;
        }
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "policychat.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning))
            .AddPolicyChat(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        ValidateOptions(provider);
        return new CliServices(provider);
    }

    /// <summary>Qdrant settings as <see cref="Create"/> would bind them, for another <paramref name="collection"/> (a copy's source).</summary>
    public static PolicyChat.Core.Storage.Qdrant.QdrantOptions QdrantOptions(IDictionary<string, string?> overrides, string collection)
    {
        var options = new PolicyChat.Core.Storage.Qdrant.QdrantOptions();
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "policychat.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build()
            .GetSection(PolicyChat.Core.Storage.Qdrant.QdrantOptions.SectionName)
            .Bind(options);
        options.Collection = collection;
        return options;
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    // The generic host validates options at start-up; a bare provider does it when options are first read, so read them now.
    private static void ValidateOptions(ServiceProvider provider)
    {
        foreach (var validator in provider.GetServices<Microsoft.Extensions.Options.IStartupValidator>())
        {
            validator.Validate();
        }
    }
}
