using Microsoft.Data.Sqlite;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>One committed change to the chunks table: a chunk added (its current columns) or removed (the columns it had).</summary>
internal readonly record struct ChunkChange(long Seq, long RowId, bool Removed, string Terms, string GramSource, float[]? Vector);

/// <summary>
/// The chunks table's change sequence, shared by every process on the file: triggers append one row per inserted or
/// deleted chunk to <c>chunk_log</c> in the writing transaction, so the log's sequence number (AUTOINCREMENT: it only
/// grows) names a committed state of the chunks table. In-memory and persisted indexes record the sequence they
/// reflect and apply the rows after it, whichever process wrote them. Chunk rowids are AUTOINCREMENT too, so a rowid
/// never names two chunks over the life of the file; chunks are never updated in place (a trigger refuses it).
/// </summary>
internal static class ChunkChangeLog
{
    /// <summary>Rows read per round trip while catching up (bounds memory when another process wrote a lot).</summary>
    public const int PageSize = 4096;

    public const string Schema =
        """
        CREATE TABLE IF NOT EXISTS chunk_log(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            chunk_rowid INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            terms TEXT,
            gram_source TEXT);
        CREATE TRIGGER IF NOT EXISTS chunks_log_insert AFTER INSERT ON chunks
        BEGIN
            INSERT INTO chunk_log(chunk_rowid, removed) VALUES (new.rowid, 0);
        END;
        CREATE TRIGGER IF NOT EXISTS chunks_log_delete AFTER DELETE ON chunks
        BEGIN
            INSERT INTO chunk_log(chunk_rowid, removed, terms, gram_source) VALUES (old.rowid, 1, old.terms, old.gram_source);
        END;
        CREATE TRIGGER IF NOT EXISTS chunks_no_update BEFORE UPDATE ON chunks
        BEGIN
            SELECT RAISE(ABORT, 'chunks are replaced, never updated in place (the change log would miss it)');
        END;
        """;

    /// <summary>The sequence number of the last committed change (0 when none), as seen by this connection's snapshot.</summary>
    public static long CurrentSeq(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = CurrentSeqSql;
        return cmd.ExecuteScalar() is long seq ? seq : 0;
    }

    public static async Task<long> CurrentSeqAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = CurrentSeqSql;
        return await cmd.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    /// <summary>
    /// Up to <see cref="PageSize"/> changes after <paramref name="since"/>, in sequence order. An added chunk that a later
    /// change removed again comes back with empty columns and no vector (it is no longer in the table); apply its removal,
    /// which follows, as a no-op.
    /// </summary>
    public static List<ChunkChange> ReadPage(SqliteConnection connection, long since, bool withVectors)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText =
            $"""
            SELECT l.seq, l.chunk_rowid, l.removed, coalesce(l.terms, c.terms, ''), coalesce(l.gram_source, c.gram_source, ''),
                   c.rowid IS NOT NULL, {(withVectors ? "c.vector" : "NULL")}
            FROM chunk_log l LEFT JOIN chunks c ON l.removed = 0 AND c.rowid = l.chunk_rowid
            WHERE l.seq > $since ORDER BY l.seq LIMIT {PageSize};
            """;
        cmd.Parameters.AddWithValue("$since", since);
        var page = new List<ChunkChange>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var removed = r.GetInt64(2) != 0;
            if (!removed && !r.GetBoolean(5))
            {
                // Added, then removed by a later change in this log: nothing to index.
                page.Add(new ChunkChange(r.GetInt64(0), -1, false, "", "", null));
                continue;
            }
            page.Add(new ChunkChange(r.GetInt64(0), r.GetInt64(1), removed, r.GetString(3), r.GetString(4),
                r.IsDBNull(6) ? null : VectorBlob.FromBytes((byte[])r.GetValue(6))));
        }
        return page;
    }

    private const string CurrentSeqSql = "SELECT seq FROM sqlite_sequence WHERE name = 'chunk_log';";
}
