using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>A large document's chunks written in batches: the same index as one batch, and still one atomic replacement.</summary>
public sealed class SqliteStreamingUpsertTests : SqliteFolderTests
{
    [Fact]
    public async Task BatchedUpsert_SearchesExactlyLikeTheWholeDocumentAtOnce()
    {
        var (text, metadata) = LargeDocument();
        await using var whole = await Store("whole.db");
        await using var batched = await Store("batched.db");
        await whole.UpsertDocumentAsync(Indexer.Build("d", "/d.txt", new ExtractedDocument(text, null, "txt", []), metadata, "h", DateTimeOffset.UnixEpoch));
        var (document, count, batches) = Indexer.BuildInBatches("d", "/d.txt", new ExtractedDocument(text, null, "txt", []), metadata, "h", DateTimeOffset.UnixEpoch, batchSize: 7);
        await batched.UpsertDocumentAsync(document, batches.ToAsyncEnumerable());

        Assert.True(count > 20, $"{count} chunks");
        Assert.Equal(count, (await batched.GetStatsAsync()).Chunks);
        foreach (var question in new[] { "حماية البيانات الشخصية", "cloud security standards", "الذكاء الاصطناعي في شنغهاي", "export" })
        {
            var analyzed = TextAnalyzer.Default.AnalyzeForIndex(question);
            var query = new IndexQuery(analyzed.Terms, analyzed.CharNGrams, null, 10);
            var want = await whole.SearchAsync(query);
            var got = await batched.SearchAsync(query);
            Assert.NotEmpty(want);
            Assert.Equal(want.Select(h => (h.Ordinal, h.Text, Math.Round(h.Score, 9))), got.Select(h => (h.Ordinal, h.Text, Math.Round(h.Score, 9))));
        }
    }

    [Fact]
    public async Task BatchedUpsert_FailingMidway_LeavesTheOldVersionIntact()
    {
        var (text, metadata) = LargeDocument();
        await using var store = await Store("atomic.db");
        await store.UpsertDocumentAsync(Indexer.Build("d", "/d.txt", new ExtractedDocument("Old version about tariffs.", null, "txt", []), metadata, "old", DateTimeOffset.UnixEpoch));
        var (document, _, batches) = Indexer.BuildInBatches("d", "/d.txt", new ExtractedDocument(text, null, "txt", []), metadata, "new", DateTimeOffset.UnixEpoch, batchSize: 5);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpsertDocumentAsync(document, FailAfterFirst(batches)));

        Assert.Equal("old", (await store.GetDocumentAsync("d"))!.ContentHash);
        Assert.Equal(1, (await store.GetStatsAsync()).Chunks);
        var tariffs = TextAnalyzer.Default.AnalyzeForIndex("tariffs");
        Assert.Single(await store.SearchAsync(new IndexQuery(tariffs.Terms, tariffs.CharNGrams, null, 10)));
    }

    private static async IAsyncEnumerable<IReadOnlyList<ChunkToIndex>> FailAfterFirst(IEnumerable<IReadOnlyList<ChunkToIndex>> batches)
    {
        await Task.Yield();
        yield return batches.First();
        throw new InvalidOperationException("the upload broke off");
    }

    private async Task<SqliteIndexStore> Store(string name)
    {
        var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(Folder, name) });
        await store.InitializeAsync();
        return store;
    }

    private static (string Text, DocumentMetadata Metadata) LargeDocument()
    {
        string[] paragraphs =
        [
            "تهدف اللائحة إلى حماية البيانات الشخصية للمواطنين وتنظيم نقلها عبر الحدود.",
            "Cloud providers must follow national security standards and report incidents within 24 hours.",
            "تدعم شنغهاي مشاريع الذكاء الاصطناعي مفتوحة المصدر بتمويل حكومي.",
            "Export controls on advanced chips were tightened in 2024.",
        ];
        var text = string.Join("\n\n", Enumerable.Range(0, 60).Select(i => paragraphs[i % paragraphs.Length] + $" Section {i}."));
        return (text, new DocumentMetadata("Policy digest", "ar", null, null));
    }
}
