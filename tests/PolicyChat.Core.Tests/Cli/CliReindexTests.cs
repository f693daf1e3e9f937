using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Testing.Qdrant;
using static PolicyChat.Core.Tests.Storage.QdrantIndexStoreTests;

namespace PolicyChat.Core.Tests.Cli;

/// <summary>`policychat reindex --from qdrant`: re-creates a collection with new shard settings from an existing one (the Docker re-sharding path).</summary>
public sealed class CliReindexTests
{
    [Fact]
    public async Task Reindex_FromQdrantCollection_CopiesIntoNewCollectionWithNewShardSettings()
    {
        await using var server = await FakeQdrant.StartAsync(kestrel: true);
        await using (var old = new QdrantIndexStore(new QdrantOptions { Url = server.Url, Collection = "old", Shards = 1 }))
        {
            await old.UpsertDocumentAsync(Doc("doc-a", "h1", "tariffs", 3));
            await old.UpsertDocumentAsync(Doc("doc-b", "h2", "privacy", 2));
        }

        var result = await PolicyChatCli.RunAsync(TestPaths.NewTempDirectory(),
            "reindex", "--from", "qdrant", "--from-collection", "old", "--to", "qdrant", "--collection", "new", "--shards", "3", "--replicas", "2", "--qdrant-url", server.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        var created = server.Engine.CreateRequest("new")!;
        Assert.Equal((3u, 2u), (created.ShardNumber, created.ReplicationFactor));
        await using var copy = new QdrantIndexStore(new QdrantOptions { Url = server.Url, Collection = "new" });
        Assert.Equal(["doc-a", "doc-b"], (await copy.ListDocumentsAsync()).Select(d => d.Id));
        Assert.Equal("tariffs 0\ntariffs 1\ntariffs 2", (await copy.GetDocumentAsync("doc-a"))!.Text);
        Assert.True((await copy.GetStatsAsync()).Chunks >= 2);
        Assert.Equal(5, server.Engine.PointCount("old")); // the source is left as it was
    }

    [Fact]
    public async Task Reindex_FromQdrantIntoTheSameCollection_IsRefused()
    {
        var result = await PolicyChatCli.RunAsync(TestPaths.NewTempDirectory(), "reindex", "--from", "qdrant", "--from-collection", "same", "--to", "qdrant", "--collection", "same");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--from-collection", result.ToString(), StringComparison.Ordinal);
    }
}
