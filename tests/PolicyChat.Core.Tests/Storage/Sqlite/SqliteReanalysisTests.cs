using Microsoft.Data.Sqlite;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;
using static PolicyChat.Core.Tests.Storage.Sqlite.SqliteTestFiles;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>Opening an index file whose analyzed columns an older text analyzer wrote.</summary>
public sealed class SqliteReanalysisTests : SqliteFolderTests
{
    private const string Stale = "stale";

    [Fact]
    public async Task InitializeAsync_OlderAnalyzerVersion_AnalyzesEveryChunkAgainAndRebuildsTheLexicon()
    {
        var (path, document) = await CreateFileOfAnOlderAnalyzerAsync();
        var logged = Rows(path, "SELECT count(*) FROM chunk_log;");

        await using (var store = Open(path))
        {
            await store.InitializeAsync();
            var hits = await store.SearchAsync(Query("روسيا", new FusionWeights(Words: 1, NGrams: 0, Dense: 0)));
            Assert.Contains("الروسي", Assert.Single(hits).Text, StringComparison.Ordinal); // روسيا and الروسي: one stem since version 2
            Assert.False(store.IsLexiconPersisted, "the lexicon of the older analyzer is not served");
            await store.FlushIndexFilesAsync();
        }

        Assert.Equal(document.Chunks.Select(ChunkLexicon.TermsColumn), Rows(path, "SELECT terms FROM chunks ORDER BY ordinal;"));
        Assert.Equal(document.Chunks.Select(ChunkLexicon.GramColumn), Rows(path, "SELECT gram_source FROM chunks ORDER BY ordinal;"));
        Assert.Equal([TextAnalyzer.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)], Rows(path, "SELECT value FROM meta WHERE key='analyzer_version';"));
        Assert.Equal(TextAnalyzer.Version, LexiconManifest.Read(path + ".lexicon").AnalyzerVersion);
        Assert.Equal(["chunks_no_update"], Rows(path, "SELECT name FROM sqlite_master WHERE type='trigger' AND name='chunks_no_update';"));
        Assert.Equal(logged, Rows(path, "SELECT count(*) FROM chunk_log;")); // no chunk was replaced

        // The next opening finds the current version and serves the lexicon written above.
        await using var reopened = Open(path);
        await reopened.WarmUpAsync();
        Assert.True(reopened.IsLexiconPersisted);
        Assert.Single(await reopened.SearchAsync(Query("روسيا", new FusionWeights(Words: 1, NGrams: 0, Dense: 0))));
    }

    [Fact]
    public async Task InitializeAsync_ReanalysisFailingPartWay_LeavesFileAsItWasAndTriesAgain()
    {
        var (path, _) = await CreateFileOfAnOlderAnalyzerAsync();
        Execute(path,
            """
            CREATE TRIGGER fail_last BEFORE UPDATE ON chunks WHEN NEW.rowid = (SELECT max(rowid) FROM chunks)
            BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;
            """);

        await using (var store = Open(path))
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => store.InitializeAsync());
            Assert.Contains("provoked failure", error.Message, StringComparison.Ordinal);
        }
        Assert.All(Rows(path, "SELECT terms FROM chunks;"), terms => Assert.Equal(Stale, terms));
        Assert.Empty(Rows(path, "SELECT value FROM meta WHERE key='analyzer_version';"));
        Assert.Single(Rows(path, "SELECT name FROM sqlite_master WHERE type='trigger' AND name='chunks_no_update';"));

        Execute(path, "DROP TRIGGER fail_last;");
        await using (var store = Open(path))
        {
            await store.InitializeAsync();
            Assert.Single(await store.SearchAsync(Query("روسيا", new FusionWeights(Words: 1, NGrams: 0, Dense: 0))));
        }
        Assert.DoesNotContain(Stale, Rows(path, "SELECT terms FROM chunks;"));
    }

    [Fact]
    public async Task InitializeAsync_NewFile_RecordsTheCurrentVersion()
    {
        var path = Path.Combine(Folder, "new.db");
        await using (var store = Open(path))
        {
            await store.InitializeAsync();
        }
        Assert.Equal([TextAnalyzer.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)], Rows(path, "SELECT value FROM meta WHERE key='analyzer_version';"));
    }

    /// <summary>
    /// A file as an older analyzer left it: every chunk's terms differ from what the current analyzer makes of its text,
    /// no analyzer version in meta, and a persisted lexicon whose manifest names version 1.
    /// </summary>
    private async Task<(string Path, IndexedDocument Document)> CreateFileOfAnOlderAnalyzerAsync()
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".db");
        var document = Indexer.Build("ru-1", "corpus/ru-1.md",
            new ExtractedDocument(
                """
                سيتولى البنك المركزي الروسي قيادة المبادرات التمويلية المتعلقة بمشاريع الذكاء الاصطناعي.

                وتخطط شنغهاي لإنشاء مئة شركة مفتوحة المصدر خلال العامين المقبلين.

                وتفرض اللائحة غرامات على نقل البيانات خارج المملكة دون موافقة.
                """, null, "markdown", []),
            new DocumentMetadata("تعاون تقني جديد", "ar", null, null), "hash-ru-1", DateTimeOffset.UnixEpoch);
        Assert.True(document.Chunks.Count >= 2);
        await using (var store = Open(path))
        {
            await store.InitializeAsync();
            await store.UpsertDocumentAsync(document);
            await store.WarmUpAsync();
            await store.FlushIndexFilesAsync();
        }
        SqliteConnection.ClearAllPools();
        Execute(path,
            $"""
            DROP TRIGGER chunks_no_update;
            UPDATE chunks SET terms = '{Stale}';
            DELETE FROM meta WHERE key = 'analyzer_version';
            {ChunkChangeLog.Schema}
            """);
        var lexicon = path + ".lexicon";
        LexiconManifest.Write(lexicon, LexiconManifest.Read(lexicon) with { AnalyzerVersion = 1 });
        return (path, document);
    }

    private static SqliteIndexStore Open(string path) => new(new SqliteIndexOptions { Path = path });
}
