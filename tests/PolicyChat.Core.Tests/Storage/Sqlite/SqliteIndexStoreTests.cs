using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>SQLite-specific behaviour; the store contract itself is covered by the shared contract suite.</summary>
public sealed class SqliteIndexStoreTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(TestPaths.NewTempDirectory(), "index.db");
    private SqliteIndexStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteIndexStore(new SqliteIndexOptions { Path = _path });
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task UpsertDocument_Replacement_LeavesNoOrphanFtsRows()
    {
        await _store.UpsertDocumentAsync(Doc("d1", "hash1", ["alpha beta", "gamma"]));
        await _store.UpsertDocumentAsync(Doc("d1", "hash2", ["delta"]));

        Assert.Equal(1L, Scalar("SELECT count(*) FROM chunks"));
        Assert.Empty(await _store.SearchAsync(Query(["alpha"])));
        Assert.Single(await _store.SearchAsync(Query(["delta"])));
        Assert.Equal("hash2", (await _store.GetDocumentStatesAsync()).Single().ContentHash);
    }

    [Fact]
    public async Task WarmUpAsync_BuildsTheInMemoryIndexesBeforeAnySearch_AndLaterWritesStaySearchable()
    {
        await _store.UpsertDocumentAsync(Doc("d1", "h1", ["alpha beta", "gamma"]));
        Assert.False(_store.IsWarm);

        var chunks = await _store.WarmUpAsync();

        Assert.True(_store.IsWarm);
        Assert.Equal(2, chunks);
        Assert.Equal(2, await _store.WarmUpAsync());
        await _store.UpsertDocumentAsync(Doc("d2", "h2", ["delta"]));
        Assert.Single(await _store.SearchAsync(Query(["delta"])));
        Assert.Single(await _store.SearchAsync(Query(["gamma"])));
    }

    [Fact]
    public async Task WarmUpAsync_Cancelled_ThrowsAndALaterSearchStillWorks()
    {
        await _store.UpsertDocumentAsync(Doc("d1", "h1", ["alpha"]));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WarmUpAsync(cancelled.Token));

        Assert.Single(await _store.SearchAsync(Query(["alpha"])));
    }

    [Fact]
    public async Task UpsertDocument_FailingMidTransaction_KeepsOldVersion()
    {
        await _store.UpsertDocumentAsync(Doc("d1", "hash1", ["alpha"]));
        // A chunk that violates NOT NULL (null text) fails after the old chunks were deleted inside the transaction.
        var broken = Doc("d1", "hash2", ["beta"]) with
        {
            Chunks = [new ChunkToIndex(0, 0, 4, "beta", "en", ["beta"], ["bet"]), new ChunkToIndex(1, 5, 9, null!, "en", ["x"], ["x"])],
        };

        await Assert.ThrowsAnyAsync<Exception>(() => _store.UpsertDocumentAsync(broken));

        Assert.Single(await _store.SearchAsync(Query(["alpha"])));
        Assert.Empty(await _store.SearchAsync(Query(["beta"])));
        Assert.Equal("hash1", (await _store.GetDocumentStatesAsync()).Single().ContentHash);
    }

    [Fact]
    public async Task Search_TermWithQuotesAndFtsSyntax_IsLiteral()
    {
        await _store.UpsertDocumentAsync(Doc("d1", "h", ["plain"]));

        var hits = await _store.SearchAsync(Query(["\"", "AND", "NEAR(", "OR", "*"]));

        Assert.Empty(hits);
    }

    [Fact]
    public async Task Search_DenseLeg_RanksByCosine()
    {
        var doc = Doc("d1", "h", ["one", "two"]);
        doc = doc with
        {
            Chunks = [doc.Chunks[0] with { Vector = [1f, 0f, 0f] }, doc.Chunks[1] with { Vector = [0f, 1f, 0f] }],
        };
        await _store.UpsertDocumentAsync(doc);

        var hits = await _store.SearchAsync(new IndexQuery([], [], [0.1f, 0.9f, 0f], 2));

        Assert.Equal([1, 0], hits.Select(h => h.Ordinal));
        Assert.Equal(1, hits[0].Ranks.Dense);
    }

    [Fact]
    public async Task Search_DenseLegAfterWrites_SeesReplacedAndDeletedVectorsWithoutReloading()
    {
        var first = Doc("d1", "h1", ["one", "two"]);
        await _store.UpsertDocumentAsync(first with
        {
            Chunks = [first.Chunks[0] with { Vector = [1f, 0f, 0f] }, first.Chunks[1] with { Vector = [0f, 1f, 0f] }],
        });
        var other = Doc("d2", "h1", ["three"]);
        await _store.UpsertDocumentAsync(other with { Chunks = [other.Chunks[0] with { Vector = [0f, 0f, 1f] }] });
        Assert.Equal(3, (await _store.SearchAsync(new IndexQuery([], [], [1f, 1f, 1f], 10))).Count); // loads the vectors

        var replaced = Doc("d1", "h2", ["uno"]);
        await _store.UpsertDocumentAsync(replaced with { Chunks = [replaced.Chunks[0] with { Vector = [0f, 1f, 0f] }] });
        var afterReplace = await _store.SearchAsync(new IndexQuery([], [], [1f, 0f, 0f], 10));
        await _store.DeleteDocumentAsync("d2");
        var afterDelete = await _store.SearchAsync(new IndexQuery([], [], [0f, 0f, 1f], 10));

        Assert.Equal(2, afterReplace.Count);
        Assert.DoesNotContain(afterReplace, h => h.Text == "one" || h.Text == "two");
        Assert.Equal(["uno"], afterDelete.Select(h => h.Text));
        Assert.True(_store.IsWarm);
    }

    [Fact]
    public async Task Search_DenseQueryWithOtherDimension_ThrowsReindexMessage()
    {
        var doc = Doc("d1", "h", ["one"]);
        await _store.UpsertDocumentAsync(doc with { Chunks = [doc.Chunks[0] with { Vector = [1f, 0f] }] });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.SearchAsync(new IndexQuery([], [], [1f, 0f, 0f], 2)));

        Assert.Contains("re-index", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopen_ExistingFile_KeepsDocuments()
    {
        await _store.UpsertDocumentAsync(Doc("d1", "h", ["persist"]));
        await _store.DisposeAsync();

        _store = new SqliteIndexStore(new SqliteIndexOptions { Path = _path });
        await _store.InitializeAsync();

        Assert.Single(await _store.SearchAsync(Query(["persist"])));
    }

    private static IndexQuery Query(IReadOnlyList<string> terms) => new(terms, [], null, 10);

    private static IndexedDocument Doc(string id, string hash, IReadOnlyList<string> chunkTexts)
    {
        var text = string.Join("\n\n", chunkTexts);
        var chunks = new List<ChunkToIndex>();
        var offset = 0;
        for (var i = 0; i < chunkTexts.Count; i++)
        {
            var t = chunkTexts[i];
            chunks.Add(new ChunkToIndex(i, offset, offset + t.Length, t, "en", t.Split(' '), t.Split(' ').Select(w => w[..Math.Min(3, w.Length)]).ToList()));
            offset += t.Length + 2;
        }
        return new IndexedDocument(new StoredDocument(id, "/docs/" + id + ".txt", "Title " + id, "en", null, null, hash, text, DateTimeOffset.UnixEpoch), chunks);
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection("Data Source=" + _path);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
