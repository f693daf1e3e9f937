using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Cli;

/// <summary>Builds the core services a verb needs from its options (the CLI's composition root).</summary>
internal sealed class CliServices : IAsyncDisposable
{
    private CliServices(IIndexStore store, TextAnalyzer analyzer, DocumentIndexer indexer, DocumentLoader loader, HybridRetriever retriever)
    {
        Store = store;
        Analyzer = analyzer;
        Indexer = indexer;
        Loader = loader;
        Retriever = retriever;
    }

    public IIndexStore Store { get; }
    public TextAnalyzer Analyzer { get; }
    public DocumentIndexer Indexer { get; }
    public DocumentLoader Loader { get; }
    public HybridRetriever Retriever { get; }

    public static CliServices Create(string? dbPath)
    {
        var store = new SqliteIndexStore(new SqliteIndexOptions { Path = string.IsNullOrWhiteSpace(dbPath) ? new SqliteIndexOptions().Path : dbPath });
        var analyzer = TextAnalyzer.Default;
        var indexer = new DocumentIndexer(analyzer, new Chunker(new ChunkingOptions()));
        var retriever = new HybridRetriever(store, analyzer, new RetrievalOptions());
        return new CliServices(store, analyzer, indexer, new DocumentLoader(new DocumentLoaderOptions()), retriever);
    }

    public IngestionPipeline CreatePipeline(IngestionOptions options) => new(Store, Loader, Indexer, options);

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
