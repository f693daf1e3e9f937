using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// Brings an index file to the current schema in one transaction (a failure leaves it as it was).
/// Version 1 kept the analyzed text in two FTS5 tables; version 2 keeps it in the chunks table (terms, gram_source),
/// from which the in-memory BM25 indexes are built. Upgrading re-analyzes each chunk with its document's title, as
/// ingestion does (<see cref="SqliteReanalysis"/>), and drops the FTS5 tables. Version 3 makes chunk rowids AUTOINCREMENT (never reused, so a rowid
/// never names another chunk's text) and adds the change log (<see cref="ChunkChangeLog"/>): the chunks table is
/// copied into its new form, rowids kept.
/// </summary>
internal static class SqliteSchemaMigration
{
    /// <summary>Refuses a file written by a newer PolicyChat before anything in it is created or changed.</summary>
    public static async Task ThrowIfNewerAsync(SqliteConnection connection, int currentVersion, CancellationToken cancellationToken) =>
        ThrowIfNewer(connection, await ReadVersionAsync(connection, cancellationToken), currentVersion);

    public static async Task MigrateAsync(SqliteConnection connection, int currentVersion, CancellationToken cancellationToken)
    {
        var version = await ReadVersionAsync(connection, cancellationToken);
        ThrowIfNewer(connection, version, currentVersion);
        if (version == currentVersion)
        {
            return;
        }

        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (version == 1)
        {
            await UpgradeFrom1Async(connection, tx, cancellationToken);
        }
        if (version is 1 or 2)
        {
            await RebuildChunksWithAutoincrementAsync(connection, tx, cancellationToken);
        }
        await using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES('schema_version', $v) ON CONFLICT(key) DO UPDATE SET value=excluded.value;";
            cmd.Parameters.AddWithValue("$v", currentVersion.ToString(CultureInfo.InvariantCulture));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Adds the nullable chunks.page column (the PDF page a chunk starts on) to a file made before it existed. Additive:
    /// older files keep working without a version change, their chunks simply have no page.
    /// </summary>
    public static async Task AddPageColumnAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM pragma_table_info('chunks') WHERE name='page';";
        if (await cmd.ExecuteScalarAsync(cancellationToken) is 0L)
        {
            cmd.CommandText = "ALTER TABLE chunks ADD COLUMN page INTEGER;";
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void ThrowIfNewer(SqliteConnection connection, int version, int currentVersion)
    {
        if (version > currentVersion)
        {
            throw new InvalidOperationException(
                $"The index {connection.DataSource} has schema version {version}, newer than this PolicyChat understands ({currentVersion}). Use a newer PolicyChat or re-ingest into a new file.");
        }
    }

    /// <summary>0 for a new file (no meta table yet), else the recorded version.</summary>
    private static async Task<int> ReadVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta';";
        if (await cmd.ExecuteScalarAsync(cancellationToken) is 0L)
        {
            return 0;
        }
        cmd.CommandText = "SELECT value FROM meta WHERE key='schema_version';";
        return await cmd.ExecuteScalarAsync(cancellationToken) is string v ? int.Parse(v, CultureInfo.InvariantCulture) : 0;
    }

    private static async Task RebuildChunksWithAutoincrementAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText =
            $"""
            {ChunksTable("chunks_v3")}
            INSERT INTO chunks_v3(rowid, doc_rowid, ordinal, start, end, language, text, terms, gram_source, vector)
              SELECT rowid, doc_rowid, ordinal, start, end, language, text, terms, gram_source, vector FROM chunks ORDER BY rowid;
            DROP TABLE chunks;
            ALTER TABLE chunks_v3 RENAME TO chunks;
            CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_rowid, ordinal);
            """;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The chunks table of the current schema (rowids AUTOINCREMENT: never reused).</summary>
    public static string ChunksTable(string name) =>
        $"""
        CREATE TABLE IF NOT EXISTS {name}(
            rowid INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_rowid INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            language TEXT NOT NULL,
            text TEXT NOT NULL,
            terms TEXT NOT NULL DEFAULT '',
            gram_source TEXT NOT NULL DEFAULT '',
            vector BLOB,
            page INTEGER);
        """;

    private static async Task UpgradeFrom1Async(SqliteConnection connection, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var info = connection.CreateCommand())
        {
            info.Transaction = tx;
            info.CommandText = "SELECT name FROM pragma_table_info('chunks');";
            await using var r = await info.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                columns.Add(r.GetString(0));
            }
        }
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        foreach (var column in new[] { "terms", "gram_source" }.Where(c => !columns.Contains(c)))
        {
            cmd.CommandText = $"ALTER TABLE chunks ADD COLUMN {column} TEXT NOT NULL DEFAULT '';";
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        await SqliteReanalysis.ReanalyzeAsync(connection, tx, cancellationToken);
        await SqliteReanalysis.SetVersionAsync(connection, tx, cancellationToken);

        foreach (var table in new[] { "chunk_words_vocab", "chunk_ngrams_vocab", "chunk_words", "chunk_ngrams" })
        {
            cmd.CommandText = $"DROP TABLE IF EXISTS {table};";
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
