using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// Keeps the analyzed columns of an index file (chunks.terms, chunks.gram_source) in step with the text analyzer. The file
/// records the <see cref="TextAnalyzer.Version"/> that wrote them (meta key <c>analyzer_version</c>; a file without it was
/// written by version 1). When it differs, every chunk is analyzed again from its text and its document's title, as
/// ingestion does, in one transaction: a failure leaves the file as it was, and the next opening tries again. The
/// persisted lexicon records the version too (<see cref="LexiconManifest"/>), so the old one is rebuilt, not used.
/// <para>
/// Chunks are otherwise never updated in place (<see cref="ChunkChangeLog"/>), and the rewrite is not logged: a process
/// that opened the file before the rewrite keeps its own indexes, so stop other PolicyChat processes on the file when
/// upgrading across a new analyzer version.
/// </para>
/// </summary>
internal static class SqliteReanalysis
{
    private const string VersionKey = "analyzer_version";

    // Chunks read per round trip: memory follows a page, not the file.
    private const int PageSize = 512;

    /// <summary>Re-analyzes the file's chunks when its analyzer version is not <see cref="TextAnalyzer.Version"/>.</summary>
    public static async Task EnsureCurrentAsync(SqliteConnection connection, ILogger? logger, CancellationToken cancellationToken)
    {
        if (await ReadVersionAsync(connection, null, cancellationToken) == TextAnalyzer.Version)
        {
            return;
        }
        var watch = Stopwatch.StartNew();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken); // IMMEDIATE: one writer
        var version = await ReadVersionAsync(connection, tx, cancellationToken);
        if (version == TextAnalyzer.Version)
        {
            return; // another process did it while this one waited
        }
        await ExecuteAsync(connection, tx, "DROP TRIGGER IF EXISTS chunks_no_update;", cancellationToken);
        var chunks = await ReanalyzeAsync(connection, tx, cancellationToken);
        await ExecuteAsync(connection, tx, ChunkChangeLog.Schema, cancellationToken); // puts the trigger back
        await SetVersionAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (chunks > 0)
        {
            logger?.LogWarning("Re-analyzed {Chunks} chunks of {Path} written by text analyzer version {Old} for version {New} in {Seconds:0.0} s.",
                chunks, connection.DataSource, version, TextAnalyzer.Version, watch.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Records <see cref="TextAnalyzer.Version"/> as the version of the file's analyzed columns.</summary>
    public static async Task SetVersionAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO meta(key, value) VALUES('{VersionKey}', $v) ON CONFLICT(key) DO UPDATE SET value=excluded.value;";
        cmd.Parameters.AddWithValue("$v", TextAnalyzer.Version.ToString(CultureInfo.InvariantCulture));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Analyzes every chunk again (its document's title, then its text, as <see cref="Ingestion.DocumentIndexer"/> does) and
    /// rewrites its terms and gram_source, a page at a time in rowid order. Returns the number of chunks.
    /// </summary>
    public static async Task<long> ReanalyzeAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        var analyzer = TextAnalyzer.Default;
        await using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText =
            $"SELECT c.rowid, d.title, c.text FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE c.rowid > $after ORDER BY c.rowid LIMIT {PageSize};";
        var after = read.Parameters.Add("$after", SqliteType.Integer);
        await using var update = connection.CreateCommand();
        update.Transaction = tx;
        update.CommandText = "UPDATE chunks SET terms=$terms, gram_source=$grams WHERE rowid=$rowid;";
        var terms = update.Parameters.Add("$terms", SqliteType.Text);
        var grams = update.Parameters.Add("$grams", SqliteType.Text);
        var row = update.Parameters.Add("$rowid", SqliteType.Integer);
        var titles = new Dictionary<string, IndexTerms>(StringComparer.Ordinal); // per page: a document's chunks are usually adjacent
        var page = new List<(long RowId, string Title, string Text)>(PageSize);
        var last = 0L;
        var count = 0L;
        do
        {
            page.Clear();
            titles.Clear();
            after.Value = last;
            await using (var r = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await r.ReadAsync(cancellationToken))
                {
                    page.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
                }
            }
            foreach (var (rowId, title, text) in page)
            {
                if (!titles.TryGetValue(title, out var titleTerms))
                {
                    titles[title] = titleTerms = analyzer.AnalyzeForIndex(title);
                }
                var body = analyzer.AnalyzeForIndex(text);
                terms.Value = ChunkLexicon.TermsColumn(titleTerms.Terms.Concat(body.Terms));
                grams.Value = NGramSource.Concat(titleTerms.NGramSource, body.NGramSource);
                row.Value = rowId;
                await update.ExecuteNonQueryAsync(cancellationToken);
                last = rowId;
                count++;
            }
        }
        while (page.Count == PageSize);
        return count;
    }

    /// <summary>The recorded version; 1 for a file that has none (written before versions were recorded).</summary>
    private static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT value FROM meta WHERE key='{VersionKey}';";
        return await cmd.ExecuteScalarAsync(cancellationToken) is string v && int.TryParse(v, CultureInfo.InvariantCulture, out var version) ? version : 1;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
