using System.Diagnostics;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Tests.Cli;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>
/// One truth between processes: a store whose in-memory indexes are loaded sees another writer's committed changes at
/// its next search, and a hit never carries text that is not its chunk's (rowids are never reused).
/// </summary>
public sealed class SqliteCrossProcessTests : IAsyncLifetime
{
    private readonly string _directory = TestPaths.NewTempDirectory();
    private SqliteIndexStore _reader = null!;
    private SqliteIndexStore _writer = null!;

    private string DbPath => Path.Combine(_directory, "index.db");

    public async Task InitializeAsync()
    {
        _reader = new SqliteIndexStore(new SqliteIndexOptions { Path = DbPath });
        _writer = new SqliteIndexStore(new SqliteIndexOptions { Path = DbPath });
        await _reader.InitializeAsync();
        await _writer.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _writer.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }

    [Fact]
    public async Task OtherStoreWrites_AfterReaderLoaded_AreSearchableAtOnce_AndRemovalsAreGone()
    {
        await _writer.UpsertDocumentAsync(Doc("d1", "h1", ["alpha beta"], [1f, 0f]));
        await _reader.WarmUpAsync();
        Assert.Single(await _reader.SearchAsync(Query("alpha")));

        await _writer.UpsertDocumentAsync(Doc("d2", "h2", ["gamma delta"], [0f, 1f]));
        await _writer.DeleteDocumentAsync("d1");

        Assert.Equal("d2", Assert.Single(await _reader.SearchAsync(Query("gamma"))).DocumentId);
        Assert.Empty(await _reader.SearchAsync(Query("alpha")));
        var dense = await _reader.SearchAsync(new IndexQuery([], [], [1f, 0f], 10));
        Assert.Equal("d2", Assert.Single(dense).DocumentId); // d1's vector is gone from the reader's vector index too
        Assert.Equal(1, (await _reader.GetTermStatisticsAsync(["gamma"])).TotalChunks);
    }

    [Fact]
    public async Task ReplacedDocument_OldTextNeverReturnsTheNewPassage_EvenBeforeTheReaderCatchesUp()
    {
        await _writer.UpsertDocumentAsync(Doc("d1", "h1", ["old tariff text"], null));
        await _reader.WarmUpAsync();

        // Delete the last chunk and insert a new one: with plain INTEGER PRIMARY KEY SQLite would hand out the same rowid.
        await _writer.UpsertDocumentAsync(Doc("d1", "h2", ["unrelated satellite passage"], null));

        var rowIds = RowIds();
        Assert.Single(rowIds);
        Assert.True(rowIds[0] > 1, "the new chunk gets a new rowid");
        Assert.Empty(await _reader.SearchAsync(Query("tariff")));
        Assert.Equal("unrelated satellite passage", Assert.Single(await _reader.SearchAsync(Query("satellite"))).Text);
    }

    [Fact]
    public async Task ManyChangesByAnotherWriter_AreAppliedInPages()
    {
        await _reader.WarmUpAsync();
        var chunks = Enumerable.Range(0, ChunkChangeLog.PageSize + 10).Select(i => $"word{i} common").ToList();
        await _writer.UpsertDocumentAsync(Doc("big", "h", chunks, null));

        Assert.Equal("word4100 common", Assert.Single(await _reader.SearchAsync(Query("word4100"))).Text);
        Assert.Equal(chunks.Count, (await _reader.GetTermStatisticsAsync(["common"])).DocumentFrequency["common"]);
    }

    [Fact]
    public void ChunksTable_RefusesUpdatesInPlace()
    {
        using var connection = new SqliteConnection("Data Source=" + DbPath);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO documents(id, source_path, title, language, content_hash, text, ingested_at) VALUES('x','x','x','en','h','t','2025-01-01');"
            + "INSERT INTO chunks(doc_rowid, ordinal, start, end, language, text) VALUES(1, 0, 0, 1, 'en', 't');";
        cmd.ExecuteNonQuery();
        cmd.CommandText = "UPDATE chunks SET text='other';";
        var error = Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery());
        Assert.Contains("never updated in place", error.Message);
    }

    [Fact]
    public async Task CliIngest_IntoFilesOfALoadedStore_IsSearchableWithinOneSecond_AndReplacementsNeverLeakNewText()
    {
        var docs = Directory.CreateDirectory(Path.Combine(_directory, "docs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(docs, "first.txt"), "Export controls on advanced lithography equipment.\n");
        Assert.Equal(0, (await PolicyChatCli.RunAsync(_directory, "ingest", docs, "--db", DbPath)).ExitCode);
        await _reader.WarmUpAsync();
        Assert.NotEmpty(await _reader.SearchAsync(Query("lithography")));

        await File.WriteAllTextAsync(Path.Combine(docs, "first.txt"), "Quantum computing research grants for universities.\n");
        await File.WriteAllTextAsync(Path.Combine(docs, "second.txt"), "Semiconductor subsidies for domestic fabs.\n");
        var ingest = await PolicyChatCli.RunAsync(_directory, "ingest", docs, "--db", DbPath);
        Assert.True(ingest.ExitCode == 0, ingest.ToString());

        var clock = Stopwatch.StartNew();
        var found = await _reader.SearchAsync(Query("subsidies"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the first search after the ingest took {clock.Elapsed}");
        Assert.Contains("subsidies", Assert.Single(found).Text);
        Assert.Contains("Quantum", Assert.Single(await _reader.SearchAsync(Query("quantum"))).Text);
        Assert.Empty(await _reader.SearchAsync(Query("lithography")));
    }

    private static IndexQuery Query(string term) => new(TextAnalyzerTerms(term), [], null, 10);

    private static IReadOnlyList<string> TextAnalyzerTerms(string text) => PolicyChat.Core.Text.TextAnalyzer.Default.AnalyzeForIndex(text).Terms;

    private List<long> RowIds()
    {
        using var connection = new SqliteConnection("Data Source=" + DbPath);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT rowid FROM chunks ORDER BY rowid;";
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read())
        {
            ids.Add(r.GetInt64(0));
        }
        return ids;
    }

    private static IndexedDocument Doc(string id, string hash, IReadOnlyList<string> chunkTexts, float[]? vector)
    {
        var text = string.Join("\n\n", chunkTexts);
        var chunks = new List<ChunkToIndex>();
        var offset = 0;
        for (var i = 0; i < chunkTexts.Count; i++)
        {
            var t = chunkTexts[i];
            chunks.Add(new ChunkToIndex(i, offset, offset + t.Length, t, "en", TextAnalyzerTerms(t), [], vector));
            offset += t.Length + 2;
        }
        return new IndexedDocument(new StoredDocument(id, "/docs/" + id + ".txt", "Title", "en", null, null, hash, text, DateTimeOffset.UnixEpoch), chunks);
    }
}
