using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// The embedded index: one SQLite file holding documents, chunks (with their analyzed word terms and n-gram source)
/// and dense vectors as BLOBs. Searches run in memory: two BM25 inverted indexes (<see cref="ChunkLexicon"/>: words and
/// character n-grams) and exact SIMD vector search, all derived from the chunks table when first needed.
/// Every document replacement is one transaction, so a killed process leaves either the old or the new version.
/// <para>
/// One truth between processes: every write to the chunks table is recorded in the file's change log
/// (<see cref="ChunkChangeLog"/>), and the in-memory indexes record the sequence number they reflect. Each search first
/// compares it with the file's (one indexed read) and applies whatever any process committed since, so another
/// process's write is visible to the next search. Rowids are never reused, so a stale hit can only miss, never name
/// another chunk's text.
/// </para>
/// </summary>
public sealed partial class SqliteIndexStore : IIndexStore, IStreamingIndexStore, ITermStatisticsSource, IIndexWarmUp
{
    private const string EmbedderKey = "embedder";
    private const int SchemaVersion = 3;

    private readonly string _connectionString;
    // _writeLock: one SQLite writer at a time in this process. _indexLock: one updater of the in-memory structures
    // (loading, applying the change log, writing and swapping segments); searches take neither.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _indexLock = new(1, 1);
    private readonly SqliteIndexOptions _options;
    private readonly QueryBudget _budget;
    private readonly Lock _loadGate = new();
    private Task<ChunkLexicon>? _lexicon;
    private readonly DenseVectorIndex _dense;
    private Task<DenseVectorIndex>? _denseLoad;
    // The change-log sequence each in-memory structure reflects; written under _indexLock.
    private long _lexiconSeq;
    private long _denseSeq;
    private readonly ILogger? _logger;
    private Guid _databaseId;
    private bool _initialized;

    public SqliteIndexStore(SqliteIndexOptions options, ILogger<SqliteIndexStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _budget = QueryBudget.Default with { PostingBudget = options.PostingBudget };
        _dense = new DenseVectorIndex(options.DenseSearch, options.DenseOversample);
        var full = System.IO.Path.GetFullPath(options.Path);
        DatabasePath = full;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }
        var folder = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        await using var connection = await OpenAsync(cancellationToken);
        await SqliteSchemaMigration.ThrowIfNewerAsync(connection, SchemaVersion, cancellationToken); // before touching the file
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, Schema, cancellationToken);
        await SqliteSchemaMigration.MigrateAsync(connection, SchemaVersion, cancellationToken);
        await SqliteSchemaMigration.AddPageColumnAsync(connection, cancellationToken);
        await ExecuteAsync(connection, ChunkChangeLog.Schema, cancellationToken); // after the migration: triggers follow the table
        await SqliteReanalysis.EnsureCurrentAsync(connection, _logger, cancellationToken);
        _databaseId = await DatabaseIdAsync(connection, cancellationToken);
        _initialized = true;
    }

    public async Task<IReadOnlyList<DocumentState>> GetDocumentStatesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, source_path, content_hash FROM documents ORDER BY id;";
        var states = new List<DocumentState>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            states.Add(new DocumentState(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return states;
    }

    public Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return UpsertDocumentAsync(document.Document, OneBatch(document.Chunks), cancellationToken);
    }

    private static async IAsyncEnumerable<IReadOnlyList<ChunkToIndex>> OneBatch(IReadOnlyList<ChunkToIndex> chunks)
    {
        await Task.CompletedTask;
        yield return chunks;
    }

    /// <summary>Adds or atomically replaces a document whose chunks arrive in batches (each is written, then dropped).</summary>
    public async Task UpsertDocumentAsync(StoredDocument document, IAsyncEnumerable<IReadOnlyList<ChunkToIndex>> chunkBatches,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunkBatches);
        var doc = document;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var existing = await FindDocumentRowIdAsync(connection, tx, doc.Id, cancellationToken);
            long docRowId;
            if (existing is { } rowId)
            {
                await DeleteChunksAsync(connection, tx, rowId, cancellationToken);
                await using var update = Command(connection, tx,
                    """
                    UPDATE documents SET source_path=$source, title=$title, language=$lang, date=$date, outlet=$outlet,
                      content_hash=$hash, text=$text, ingested_at=$at WHERE rowid=$rowid;
                    """);
                BindDocument(update, doc);
                update.Parameters.AddWithValue("$rowid", rowId);
                await update.ExecuteNonQueryAsync(cancellationToken);
                docRowId = rowId;
            }
            else
            {
                await using var insert = Command(connection, tx,
                    """
                    INSERT INTO documents(id, source_path, title, language, date, outlet, content_hash, text, ingested_at)
                    VALUES($id, $source, $title, $lang, $date, $outlet, $hash, $text, $at) RETURNING rowid;
                    """);
                BindDocument(insert, doc);
                insert.Parameters.AddWithValue("$id", doc.Id);
                docRowId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            }

            await foreach (var batch in chunkBatches.WithCancellation(cancellationToken))
            {
                await InsertChunksAsync(connection, tx, docRowId, batch, cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            ScheduleCatchUp();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<bool> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            if (await FindDocumentRowIdAsync(connection, tx, documentId, cancellationToken) is not { } rowId)
            {
                return false;
            }
            await DeleteChunksAsync(connection, tx, rowId, cancellationToken);
            await using var delete = Command(connection, tx, "DELETE FROM documents WHERE rowid=$rowid;");
            delete.Parameters.AddWithValue("$rowid", rowId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            ScheduleCatchUp();
        }
        finally
        {
            _writeLock.Release();
        }
        return true;
    }

    public async Task<StoredDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, source_path, title, language, date, outlet, content_hash, text, ingested_at FROM documents WHERE id=$id;";
        cmd.Parameters.AddWithValue("$id", documentId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new StoredDocument(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
            r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), r.GetString(7),
            DateTimeOffset.Parse(r.GetString(8), CultureInfo.InvariantCulture));
    }

    public async Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(SearchFilter? filter = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        var where = new StringBuilder();
        AppendDocumentFilter(cmd, where, filter, "d");
        cmd.CommandText =
            $"""
            SELECT d.id, d.source_path, d.title, d.language, d.date, d.outlet, d.content_hash,
                   (SELECT count(*) FROM chunks c WHERE c.doc_rowid = d.rowid), d.ingested_at
            FROM documents d {(where.Length > 0 ? "WHERE " + where : "")} ORDER BY d.title, d.id;
            """;
        var list = new List<DocumentSummary>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new DocumentSummary(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6),
                r.GetInt32(7), DateTimeOffset.Parse(r.GetString(8), CultureInfo.InvariantCulture)));
        }
        return list;
    }

    public async Task<IReadOnlyList<ChunkHit>> SearchAsync(IndexQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit <= 0)
        {
            return [];
        }
        var weights = query.Weights ?? new FusionWeights();
        var perLeg = Math.Max(weights.CandidatesPerLeg, query.Limit);
        await GetLexiconAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        var denseIndex = weights.Dense > 0 && query.Vector is { Length: > 0 } ? await GetDenseAsync(cancellationToken) : null;
        await CatchUpAsync(connection, cancellationToken);
        var lexicon = await GetLexiconAsync(cancellationToken); // after catching up: a file rewrite may have swapped it
        var allowed = query.Filter is { IsEmpty: false } f ? await FilteredRowIdsAsync(connection, f, cancellationToken) : null;
        IReadOnlyList<(long RowId, double Score)> words = weights.Words > 0 && query.Terms.Count > 0
            ? lexicon.Search(lexicon.Words, query.Terms, perLeg, _budget, allowed)
            : [];
        IReadOnlyList<(long RowId, double Score)> grams = weights.NGrams > 0 && query.NGrams.Count > 0
            ? lexicon.Search(lexicon.NGrams, query.NGrams, perLeg, _budget, allowed)
            : [];
        IReadOnlyList<(long RowId, double Score)> dense = [];
        if (denseIndex is not null)
        {
            dense = denseIndex.Search(query.Vector!, perLeg, allowed);
        }

        var fused = weights.Method == FusionMethod.Score
            ? RankFusion.FuseScores<long>([new(weights.Words, words), new(weights.NGrams, grams), new(weights.Dense, dense)], query.Limit)
            : RankFusion.Fuse<long>(
                [
                    new(weights.Words, words.Select(h => h.RowId).ToList()),
                    new(weights.NGrams, grams.Select(h => h.RowId).ToList()),
                    new(weights.Dense, dense.Select(h => h.RowId).ToList()),
                ], weights.RrfK, query.Limit);
        if (fused.Count == 0)
        {
            return [];
        }

        var wordRank = RankMap(words);
        var gramRank = RankMap(grams);
        var denseRank = RankMap(dense);
        var rows = await LoadChunkRowsAsync(connection, fused.Select(f => f.Key).ToList(), cancellationToken);
        var hits = new List<ChunkHit>(fused.Count);
        foreach (var (rowId, score) in fused)
        {
            if (!rows.TryGetValue(rowId, out var row))
            {
                continue;
            }
            var ranks = new LegRanks(
                wordRank.TryGetValue(rowId, out var w) ? w.Rank : null,
                gramRank.TryGetValue(rowId, out var g) ? g.Rank : null,
                denseRank.TryGetValue(rowId, out var d) ? d.Rank : null,
                wordRank.TryGetValue(rowId, out w) ? w.Score : null,
                gramRank.TryGetValue(rowId, out g) ? g.Score : null,
                denseRank.TryGetValue(rowId, out d) ? d.Score : null);
            hits.Add(row with { Score = score, Ranks = ranks });
        }
        return hits;
    }

    public async Task<EmbedderInfo?> GetEmbedderAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key=$k;";
        cmd.Parameters.AddWithValue("$k", EmbedderKey);
        return await cmd.ExecuteScalarAsync(cancellationToken) is string json
            ? JsonSerializer.Deserialize(json, StoreJsonContext.Default.EmbedderInfo)
            : null;
    }

    public async Task SetEmbedderAsync(EmbedderInfo embedder, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value=excluded.value;";
        cmd.Parameters.AddWithValue("$k", EmbedderKey);
        cmd.Parameters.AddWithValue("$v", JsonSerializer.Serialize(embedder, StoreJsonContext.Default.EmbedderInfo));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks);";
        int docs, chunks;
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            await r.ReadAsync(cancellationToken);
            docs = r.GetInt32(0);
            chunks = r.GetInt32(1);
        }
        return new IndexStats(docs, chunks, await GetEmbedderAsync(cancellationToken));
    }

    public async Task<TermStatistics> GetTermStatisticsAsync(IReadOnlyCollection<string> terms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terms);
        await GetLexiconAsync(cancellationToken);
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await CatchUpAsync(connection, cancellationToken);
        }
        var lexicon = await GetLexiconAsync(cancellationToken); // after catching up: a file rewrite may have swapped it
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            if (term is not null && !df.ContainsKey(term) && lexicon.Words.DocumentFrequency(term) is > 0 and var count)
            {
                df[term] = count;
            }
        }
        return new TermStatistics(lexicon.Words.DocumentCount, df);
    }

    public bool IsWarm => LoadedLexicon() is not null && LoadedDense() is not null;

    /// <summary>Loads both BM25 indexes and the vector matrix from the chunks table (the work the first search would do).</summary>
    public async Task<int> WarmUpAsync(CancellationToken cancellationToken = default)
    {
        var lexicon = await GetLexiconAsync(cancellationToken);
        await GetDenseAsync(cancellationToken);
        return lexicon.Words.DocumentCount;
    }

    /// <summary>Releases pooled connections so database files can be deleted or copied.</summary>
    public static void ClearPools() => SqliteConnection.ClearAllPools();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushIndexFilesAsync();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SqliteException)
        {
            // Logged by the writer; the next start rebuilds the file.
        }
        if (_lexicon is { } loading)
        {
            try
            {
                (await loading).Dispose();
            }
            catch (Exception) when (loading.IsFaulted || loading.IsCanceled)
            {
                // A failed load has nothing to release.
            }
        }
        _writeLock.Dispose();
        _indexLock.Dispose();
        // Pooled connections keep the file open (and WAL un-checkpointed) until the pool is cleared.
        SqliteConnection.ClearAllPools();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-32768;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>This database file's identity (created once), recorded in its index files so a file never serves another database.</summary>
    private static async Task<Guid> DatabaseIdAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO meta(key, value) VALUES('database_id', $id) ON CONFLICT(key) DO NOTHING; SELECT value FROM meta WHERE key='database_id';";
        cmd.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
        return Guid.Parse((string)(await cmd.ExecuteScalarAsync(cancellationToken))!);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void BindDocument(SqliteCommand cmd, StoredDocument doc)
    {
        cmd.Parameters.AddWithValue("$source", doc.SourcePath);
        cmd.Parameters.AddWithValue("$title", doc.Title);
        cmd.Parameters.AddWithValue("$lang", doc.Language);
        cmd.Parameters.AddWithValue("$date", (object?)doc.Date ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$outlet", (object?)doc.Outlet ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$hash", doc.ContentHash);
        cmd.Parameters.AddWithValue("$text", doc.Text);
        cmd.Parameters.AddWithValue("$at", doc.IngestedAt.ToString("O", CultureInfo.InvariantCulture));
    }

    private static async Task<long?> FindDocumentRowIdAsync(SqliteConnection connection, SqliteTransaction tx, string id, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, tx, "SELECT rowid FROM documents WHERE id=$id;");
        cmd.Parameters.AddWithValue("$id", id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is long rowId ? rowId : null;
    }

    /// <summary>Deletes a document's chunks (the change log keeps their analyzed columns for the indexes to unapply).</summary>
    private static async Task DeleteChunksAsync(SqliteConnection connection, SqliteTransaction tx, long docRowId, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, tx, "DELETE FROM chunks WHERE doc_rowid=$doc;");
        cmd.Parameters.AddWithValue("$doc", docRowId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertChunksAsync(SqliteConnection connection, SqliteTransaction tx, long docRowId,
        IReadOnlyList<ChunkToIndex> chunks, CancellationToken cancellationToken)
    {
        if (chunks.Count == 0)
        {
            return;
        }
        await using var chunk = Command(connection, tx,
            """
            INSERT INTO chunks(doc_rowid, ordinal, start, end, language, text, terms, gram_source, vector, page)
            VALUES($doc, $ord, $start, $end, $lang, $text, $terms, $grams, $vec, $page);
            """);
        var pDoc = chunk.Parameters.Add("$doc", SqliteType.Integer);
        var pOrd = chunk.Parameters.Add("$ord", SqliteType.Integer);
        var pStart = chunk.Parameters.Add("$start", SqliteType.Integer);
        var pEnd = chunk.Parameters.Add("$end", SqliteType.Integer);
        var pLang = chunk.Parameters.Add("$lang", SqliteType.Text);
        var pText = chunk.Parameters.Add("$text", SqliteType.Text);
        var pTerms = chunk.Parameters.Add("$terms", SqliteType.Text);
        var pGrams = chunk.Parameters.Add("$grams", SqliteType.Text);
        var pVec = chunk.Parameters.Add("$vec", SqliteType.Blob);
        var pPage = chunk.Parameters.Add("$page", SqliteType.Integer);
        chunk.Prepare();

        foreach (var c in chunks)
        {
            pDoc.Value = docRowId;
            pOrd.Value = c.Ordinal;
            pStart.Value = c.Start;
            pEnd.Value = c.End;
            pLang.Value = c.Language;
            pText.Value = c.Text;
            pTerms.Value = ChunkLexicon.TermsColumn(c);
            pGrams.Value = ChunkLexicon.GramColumn(c);
            pVec.Value = c.Vector is { Length: > 0 } v ? VectorBlob.ToBytes(v) : DBNull.Value;
            pPage.Value = c.Page is { } page ? page : DBNull.Value;
            await chunk.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<HashSet<long>> FilteredRowIdsAsync(SqliteConnection connection, SearchFilter filter, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        var where = new StringBuilder();
        AppendChunkFilter(cmd, where, filter);
        cmd.CommandText = $"SELECT c.rowid FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE {where};";
        var set = new HashSet<long>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            set.Add(r.GetInt64(0));
        }
        return set;
    }

    private static void AppendChunkFilter(SqliteCommand cmd, StringBuilder where, SearchFilter? filter)
    {
        AppendDocumentFilter(cmd, where, filter, "d");
    }

    private static void AppendDocumentFilter(SqliteCommand cmd, StringBuilder where, SearchFilter? filter, string alias)
    {
        if (filter is null)
        {
            return;
        }
        AppendIn(cmd, where, $"{alias}.id", "$fid", filter.DocumentIds);
        AppendIn(cmd, where, $"{alias}.language", "$flang", filter.Languages);
    }

    private static void AppendIn(SqliteCommand cmd, StringBuilder where, string column, string prefix, IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return;
        }
        if (where.Length > 0)
        {
            where.Append(" AND ");
        }
        where.Append(column).Append(" IN (");
        for (var i = 0; i < values.Count; i++)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            where.Append(i > 0 ? ", " : "").Append(name);
            cmd.Parameters.AddWithValue(name, values[i]);
        }
        where.Append(')');
    }

    private static Dictionary<long, (int Rank, double Score)> RankMap(IReadOnlyList<(long RowId, double Score)> hits)
    {
        var map = new Dictionary<long, (int, double)>(hits.Count);
        for (var i = 0; i < hits.Count; i++)
        {
            map.TryAdd(hits[i].RowId, (i + 1, hits[i].Score));
        }
        return map;
    }

    private static async Task<Dictionary<long, ChunkHit>> LoadChunkRowsAsync(SqliteConnection connection, IReadOnlyList<long> rowIds, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        var names = new StringBuilder();
        for (var i = 0; i < rowIds.Count; i++)
        {
            var name = "$r" + i.ToString(CultureInfo.InvariantCulture);
            names.Append(i > 0 ? ", " : "").Append(name);
            cmd.Parameters.AddWithValue(name, rowIds[i]);
        }
        cmd.CommandText =
            $"""
            SELECT c.rowid, d.id, c.ordinal, c.start, c.end, c.text, d.title, c.language, d.date, d.outlet, c.page
            FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE c.rowid IN ({names});
            """;
        var rows = new Dictionary<long, ChunkHit>(rowIds.Count);
        var noRanks = new LegRanks(null, null, null);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            rows[r.GetInt64(0)] = new ChunkHit(r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetString(5),
                r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), 0, noRanks)
            {
                Page = r.IsDBNull(10) ? null : r.GetInt32(10),
            };
        }
        return rows;
    }

    private static List<(long RowId, float[] Vector)> LoadVectors(SqliteConnection connection, SqliteTransaction snapshot)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = snapshot;
        cmd.CommandText = "SELECT rowid, vector FROM chunks WHERE vector IS NOT NULL ORDER BY rowid;";
        var list = new List<(long, float[])>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add((r.GetInt64(0), VectorBlob.FromBytes((byte[])r.GetValue(1))));
        }
        return list;
    }

    // terms: the chunk's analyzed word terms (title included) joined by spaces; gram_source: the compact form of its
    // character n-grams (NGramSource). The in-memory BM25 indexes are built from these two columns.
    private static readonly string Schema =
        $"""
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
        {SqliteSchemaMigration.ChunksTable("chunks")}
        CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_rowid, ordinal);
        """;
}
