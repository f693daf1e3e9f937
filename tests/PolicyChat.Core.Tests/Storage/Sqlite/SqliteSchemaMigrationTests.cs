using System.Globalization;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;
using static PolicyChat.Core.Tests.Storage.Sqlite.SqliteTestFiles;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>Opening files written by schema version 1 (FTS5 tables, no analyzed columns) and by a newer PolicyChat.</summary>
public sealed class SqliteSchemaMigrationTests : SqliteFolderTests
{
    // Schema version 1 exactly as SqliteIndexStore created it before the in-memory BM25 indexes.
    private const string SchemaV1 =
        """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS documents(
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            source_path TEXT NOT NULL,
            title TEXT NOT NULL,
            language TEXT NOT NULL,
            date TEXT,
            outlet TEXT,
            content_hash TEXT NOT NULL,
            text TEXT NOT NULL,
            ingested_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS chunks(
            rowid INTEGER PRIMARY KEY,
            doc_rowid INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            language TEXT NOT NULL,
            text TEXT NOT NULL,
            vector BLOB);
        CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_rowid, ordinal);
        CREATE VIRTUAL TABLE IF NOT EXISTS chunk_words USING fts5(terms, content='', contentless_delete=1, tokenize='ascii', detail=full);
        CREATE VIRTUAL TABLE IF NOT EXISTS chunk_ngrams USING fts5(grams, content='', contentless_delete=1, tokenize='ascii', detail=full);
        CREATE VIRTUAL TABLE IF NOT EXISTS chunk_words_vocab USING fts5vocab(chunk_words, 'row');
        CREATE VIRTUAL TABLE IF NOT EXISTS chunk_ngrams_vocab USING fts5vocab(chunk_ngrams, 'row');
        INSERT INTO meta(key, value) VALUES('schema_version', '1');
        """;

    private static readonly DateTimeOffset s_ingestedAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task InitializeAsync_SchemaV1_DropsFtsTablesAndRecordsTheCurrentVersion()
    {
        var path = await CreateV1FileAsync(ArabicDocument(), EnglishDocument());
        Assert.NotEmpty(FtsTables(path)); // the v1 file really has them (and their shadow tables)

        await using (var store = Open(path))
        {
            await store.InitializeAsync();
        }

        Assert.Empty(FtsTables(path));
        Assert.Equal("3", Scalar(path, "SELECT value FROM meta WHERE key='schema_version';"));
        Assert.Contains("terms", Columns(path));
        Assert.Contains("gram_source", Columns(path));
        Assert.Equal("ok", Scalar(path, "PRAGMA integrity_check;"));
    }

    [Fact]
    public async Task InitializeAsync_SchemaV1_FillsAnalyzedColumnsAsIngestionWould()
    {
        var arabic = ArabicDocument();
        var english = EnglishDocument();
        var path = await CreateV1FileAsync(arabic, english);

        await using (var store = Open(path))
        {
            await store.InitializeAsync();
        }

        var stored = StoredColumns(path);
        var expected = arabic.Chunks.Select(c => (Doc: "ar-1", Chunk: c)).Concat(english.Chunks.Select(c => (Doc: "en-1", Chunk: c))).ToList();
        Assert.Equal(expected.Count, stored.Count);
        foreach (var (doc, chunk) in expected)
        {
            var (terms, grams) = stored[(doc, chunk.Ordinal)];
            Assert.Equal(ChunkLexicon.TermsColumn(chunk), terms);
            Assert.Equal(ChunkLexicon.GramColumn(chunk), grams);
            Assert.Equal(chunk.NGrams, NGramSource.Expand(grams));
            Assert.NotEmpty(terms);
        }
    }

    [Fact]
    public async Task SearchAsync_AfterMigration_FindsTheRightChunks()
    {
        var arabic = ArabicDocument();
        var english = EnglishDocument();
        var path = await CreateV1FileAsync(arabic, english);
        await using var store = Open(path);
        await store.InitializeAsync();

        // Words and n-grams together, each leg alone, and a title word (indexed with every chunk of its document).
        await AssertTopAsync(store, "اختراق أمني خلال اثنتين وسبعين ساعة", "ar-1", ChunkContaining(arabic, "اختراق"), new FusionWeights());
        await AssertTopAsync(store, "incident reports to the cybersecurity agency", "en-1", ChunkContaining(english, "Incident"),
            new FusionWeights(Words: 1, NGrams: 0, Dense: 0));
        await AssertTopAsync(store, "والغرامات على نقل البيانات خارج المملكة", "ar-1", ChunkContaining(arabic, "الغرامات"),
            new FusionWeights(Words: 0, NGrams: 1, Dense: 0));
        await AssertTopAsync(store, "encrypted customer data", "en-1", ChunkContaining(english, "encrypt"), new FusionWeights());

        var titleHits = await store.SearchAsync(Query("guidelines", new FusionWeights(Words: 1, NGrams: 0, Dense: 0)));
        Assert.Equal(english.Chunks.Select(c => c.Ordinal).Order(), titleHits.Select(h => h.Ordinal).Order());
        Assert.All(titleHits, h => Assert.Equal("en-1", h.DocumentId));

        var stats = await store.GetStatsAsync();
        Assert.Equal(2, stats.Documents);
        Assert.Equal(arabic.Chunks.Count + english.Chunks.Count, stats.Chunks);
    }

    [Fact]
    public async Task SearchAsync_AfterMigration_KeepsVectorsAndAcceptsNewDocuments()
    {
        var english = EnglishDocument();
        english = english with { Chunks = english.Chunks.Select((c, i) => c with { Vector = UnitVector(i, 4) }).ToList() };
        var path = await CreateV1FileAsync(ArabicDocument(), english);

        await using (var store = Open(path))
        {
            await store.InitializeAsync();
            var dense = await store.SearchAsync(new IndexQuery([], [], UnitVector(1, 4), 1));
            Assert.Equal(("en-1", 1), (dense.Single().DocumentId, dense.Single().Ordinal));

            var added = Indexer.Build("en-2", "corpus/en-2.md",
                new ExtractedDocument("Quantum computing export controls take effect next year.", null, "markdown", []),
                new DocumentMetadata("Export Controls", "en", null, null), "hash-en-2", s_ingestedAt);
            await store.UpsertDocumentAsync(added);
            await AssertTopAsync(store, "quantum export controls", "en-2", 0, new FusionWeights());
            Assert.True(await store.DeleteDocumentAsync("ar-1"));
            Assert.Empty(await store.SearchAsync(Query("اختراق أمني", new FusionWeights())));
        }

        // A second opening finds the current version and changes nothing.
        await using (var reopened = Open(path))
        {
            await reopened.InitializeAsync();
            await AssertTopAsync(reopened, "incident reports cybersecurity agency", "en-1", ChunkContaining(english, "Incident"), new FusionWeights());
            Assert.Equal(2, (await reopened.GetStatsAsync()).Documents);
        }
        Assert.Equal("3", Scalar(path, "SELECT value FROM meta WHERE key='schema_version';"));
    }

    [Fact]
    public async Task InitializeAsync_NewerSchemaVersion_RefusedNamingTheVersion()
    {
        var path = Path.Combine(Folder, "future.db");
        Execute(path,
            """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta(key, value) VALUES('schema_version', '99');
            CREATE TABLE chunks(id INTEGER PRIMARY KEY, body TEXT NOT NULL); -- a layout this version does not know
            """);

        await using var store = Open(path);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync());

        Assert.Contains("99", error.Message, StringComparison.Ordinal);
        Assert.Equal("99", Scalar(path, "SELECT value FROM meta WHERE key='schema_version';"));
        Assert.Equal(["chunks", "meta"], Tables(path)); // nothing was created in the newer file
        Assert.Equal(["body", "id"], Columns(path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InitializeAsync_MigrationFailingPartWay_LeavesFileAsItWas()
    {
        var path = await CreateV1FileAsync(ArabicDocument(), EnglishDocument());
        // Fails the update of the last chunk, after the columns were added and the other chunks rewritten.
        Execute(path,
            """
            CREATE TRIGGER fail_last BEFORE UPDATE ON chunks WHEN NEW.rowid = (SELECT max(rowid) FROM chunks)
            BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;
            """);
        var before = Dump(path);

        await using (var store = Open(path))
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => store.InitializeAsync());
            Assert.Contains("provoked failure", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Dump(path));
        Assert.Equal("1", Scalar(path, "SELECT value FROM meta WHERE key='schema_version';"));
        Assert.DoesNotContain("terms", Columns(path));
        Assert.NotEmpty(FtsTables(path));
        Assert.NotEqual("0", Scalar(path, "SELECT count(*) FROM chunk_words_vocab;"));

        // Once the cause is gone the same file migrates.
        Execute(path, "DROP TRIGGER fail_last;");
        await using (var store = Open(path))
        {
            await store.InitializeAsync();
            await AssertTopAsync(store, "incident reports cybersecurity agency", "en-1", ChunkContaining(EnglishDocument(), "Incident"), new FusionWeights());
        }
        Assert.Equal("3", Scalar(path, "SELECT value FROM meta WHERE key='schema_version';"));
    }

    private static async Task AssertTopAsync(SqliteIndexStore store, string question, string documentId, int ordinal, FusionWeights weights)
    {
        var hits = await store.SearchAsync(Query(question, weights));

        Assert.NotEmpty(hits);
        Assert.True((documentId, ordinal) == (hits[0].DocumentId, hits[0].Ordinal),
            $"\"{question}\": expected {documentId}#{ordinal}, got {string.Join(", ", hits.Select(h => $"{h.DocumentId}#{h.Ordinal}"))}");
    }

    private static int ChunkContaining(IndexedDocument document, string word) =>
        document.Chunks.Single(c => c.Text.Contains(word, StringComparison.Ordinal)).Ordinal;

    private static float[] UnitVector(int axis, int dimensions)
    {
        var vector = new float[dimensions];
        vector[axis] = 1f;
        return vector;
    }

    private IndexedDocument ArabicDocument() => Build("ar-1", "ar", "قانون حماية البيانات الشخصية",
        """
        تلزم اللائحة الجديدة الشركات بتعيين مسؤول لحماية البيانات الشخصية وإخطار الهيئة خلال اثنتين وسبعين ساعة من اكتشاف أي اختراق أمني.

        ويحق للأفراد طلب حذف بياناتهم أو تصحيحها، كما تفرض الغرامات على الجهات التي تنقل البيانات خارج المملكة دون موافقة مسبقة.

        تدخل أحكام القانون حيز التنفيذ بعد مرور عام كامل على نشره في الجريدة الرسمية، مع فترة سماح للمنشآت الصغيرة.
        """);

    private IndexedDocument EnglishDocument() => Build("en-1", "en", "Cloud Computing Security Guidelines",
        """
        Cloud providers must encrypt customer data at rest and in transit using approved cryptographic modules.

        Incident reports are submitted to the national cybersecurity agency within twenty-four hours of detection.

        Data centers located abroad require a prior assessment of the legal framework of the host country.
        """);

    private IndexedDocument Build(string id, string language, string title, string text)
    {
        var document = Indexer.Build(id, $"corpus/{id}.md", new ExtractedDocument(text, null, "markdown", []),
            new DocumentMetadata(title, language, "2024-05-01", "Official Gazette"), "hash-" + id, s_ingestedAt);
        Assert.True(document.Chunks.Count >= 3, $"{id} has {document.Chunks.Count} chunks");
        return document;
    }

    /// <summary>Writes a schema-v1 file the way version 1 did: rows in documents and chunks, analyzed text in FTS5.</summary>
    private async Task<string> CreateV1FileAsync(params IndexedDocument[] documents)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".db");
        await using var connection = Connect(path);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            await pragma.ExecuteNonQueryAsync();
        }
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using (var schema = connection.CreateCommand())
        {
            schema.Transaction = tx;
            schema.CommandText = SchemaV1;
            await schema.ExecuteNonQueryAsync();
        }
        foreach (var indexed in documents)
        {
            var doc = indexed.Document;
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText =
                """
                INSERT INTO documents(id, source_path, title, language, date, outlet, content_hash, text, ingested_at)
                VALUES($id, $source, $title, $lang, $date, $outlet, $hash, $text, $at) RETURNING rowid;
                """;
            insert.Parameters.AddWithValue("$id", doc.Id);
            insert.Parameters.AddWithValue("$source", doc.SourcePath);
            insert.Parameters.AddWithValue("$title", doc.Title);
            insert.Parameters.AddWithValue("$lang", doc.Language);
            insert.Parameters.AddWithValue("$date", (object?)doc.Date ?? DBNull.Value);
            insert.Parameters.AddWithValue("$outlet", (object?)doc.Outlet ?? DBNull.Value);
            insert.Parameters.AddWithValue("$hash", doc.ContentHash);
            insert.Parameters.AddWithValue("$text", doc.Text);
            insert.Parameters.AddWithValue("$at", doc.IngestedAt.ToString("O", CultureInfo.InvariantCulture));
            var docRowId = (long)(await insert.ExecuteScalarAsync())!;
            foreach (var chunk in indexed.Chunks)
            {
                await using var row = connection.CreateCommand();
                row.Transaction = tx;
                row.CommandText =
                    """
                    INSERT INTO chunks(doc_rowid, ordinal, start, end, language, text, vector)
                    VALUES($doc, $ord, $start, $end, $lang, $text, $vec) RETURNING rowid;
                    """;
                row.Parameters.AddWithValue("$doc", docRowId);
                row.Parameters.AddWithValue("$ord", chunk.Ordinal);
                row.Parameters.AddWithValue("$start", chunk.Start);
                row.Parameters.AddWithValue("$end", chunk.End);
                row.Parameters.AddWithValue("$lang", chunk.Language);
                row.Parameters.AddWithValue("$text", chunk.Text);
                row.Parameters.AddWithValue("$vec", chunk.Vector is { } v ? VectorBlob.ToBytes(v) : DBNull.Value);
                var chunkRowId = (long)(await row.ExecuteScalarAsync())!;

                await using var fts = connection.CreateCommand();
                fts.Transaction = tx;
                fts.CommandText = "INSERT INTO chunk_words(rowid, terms) VALUES($r, $t); INSERT INTO chunk_ngrams(rowid, grams) VALUES($r, $g);";
                fts.Parameters.AddWithValue("$r", chunkRowId);
                fts.Parameters.AddWithValue("$t", string.Join(' ', chunk.Terms));
                fts.Parameters.AddWithValue("$g", string.Join(' ', chunk.NGrams));
                await fts.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
        return path;
    }

    private static SqliteIndexStore Open(string path) => new(new SqliteIndexOptions { Path = path });

    private static List<string> Tables(string path) =>
        Rows(path, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name;");

    private static List<string> FtsTables(string path) =>
        Rows(path, "SELECT name FROM sqlite_master WHERE name LIKE 'chunk_words%' OR name LIKE 'chunk_ngrams%' ORDER BY name;");

    private static List<string> Columns(string path) => Rows(path, "SELECT name FROM pragma_table_info('chunks');");

    /// <summary>Schema and every row of the ordinary tables, for before/after comparison.</summary>
    private static List<string> Dump(string path)
    {
        var dump = Rows(path, "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY name;");
        foreach (var table in new[] { "meta", "documents", "chunks", "chunk_words_vocab", "chunk_ngrams_vocab" })
        {
            dump.AddRange(Rows(path, $"SELECT * FROM {table} ORDER BY 1;").Select(r => table + ": " + r));
        }
        return dump;
    }

    private static Dictionary<(string Doc, int Ordinal), (string Terms, string Grams)> StoredColumns(string path)
    {
        using var connection = Connect(path);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT d.id, c.ordinal, c.terms, c.gram_source FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid;";
        using var reader = cmd.ExecuteReader();
        var result = new Dictionary<(string, int), (string, string)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetInt32(1)), (reader.GetString(2), reader.GetString(3)));
        }
        return result;
    }
}
