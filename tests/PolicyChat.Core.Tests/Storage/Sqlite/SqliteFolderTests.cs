using PolicyChat.Core.Chunking;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>Tests on index files in a temporary folder, with an indexer of small character-sized chunks.</summary>
public abstract class SqliteFolderTests : IDisposable
{
    protected string Folder { get; } = TestPaths.NewTempDirectory();

    protected DocumentIndexer Indexer { get; } =
        new(TextAnalyzer.Default, new Chunker(new ChunkingOptions { TargetTokens = 0, TargetChars = 200, MaxChars = 300, OverlapSentences = 0 }));

    public void Dispose()
    {
        SqliteIndexStore.ClearPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
        GC.SuppressFinalize(this);
    }
}
