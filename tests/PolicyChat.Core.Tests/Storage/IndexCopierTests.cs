using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;
using PolicyChat.Testing.Qdrant;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>`policychat reindex --to qdrant`: the embedded index is copied into Qdrant (the in-process fake Qdrant gRPC server).</summary>
public sealed class IndexCopierTests
{
    [Fact]
    public async Task CopyAsync_SqliteCorpusIntoQdrant_SearchableAndIdempotent()
    {
        var indexer = new DocumentIndexer(TextAnalyzer.Default, new Chunker(new ChunkingOptions()));
        await using var sqlite = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(TestPaths.NewTempDirectory(), "source.db") });
        var pipeline = new IngestionPipeline(sqlite, new DocumentLoader(new DocumentLoaderOptions()), indexer, new IngestionOptions());
        var ingested = await pipeline.IngestAsync([TestPaths.Corpus]);
        await using var server = await FakeQdrant.StartAsync();
        await using var qdrant = new QdrantIndexStore(new QdrantOptions { Url = server.Url, Collection = "copy_test", RetryBaseDelay = TimeSpan.Zero }, null, _ => server.CreateHandler());
        var copier = new IndexCopier(indexer);

        var first = await copier.CopyAsync(sqlite, qdrant);
        var second = await copier.CopyAsync(sqlite, qdrant);

        Assert.Equal(ingested.Added, first.Added);
        Assert.Equal(ingested.ChunksWritten, first.ChunksWritten);
        Assert.Equal(first.Added, second.Unchanged);
        Assert.Equal((await sqlite.GetStatsAsync()).Chunks, (await qdrant.GetStatsAsync()).Chunks);
        var hits = (await new HybridRetriever(qdrant, TextAnalyzer.Default, new RetrievalOptions()).SearchAsync("البنك المركزي الروسي", 3)).Hits;
        Assert.Contains(hits, h => h.Text.Contains("البنك المركزي الروسي", StringComparison.Ordinal));
        SqliteIndexStore.ClearPools();
    }
}
