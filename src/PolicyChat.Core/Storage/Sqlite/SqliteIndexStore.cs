using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Retrieval;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// The embedded index: one SQLite file holding documents, chunks, two FTS5 indexes (analyzed words and character
/// n-grams, both BM25-ranked) and dense vectors as BLOBs searched in memory with SIMD.
/// Every document replacement is one transaction, so a killed process leaves either the old or the new version.
/// </summary>
public sealed class SqliteIndexStore : IIndexStore, ITermStatisticsSource
{
    private const string EmbedderKey = "embedder";
    private const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly DenseVectorIndex _dense;
    private bool _initialized;

    public SqliteIndexStore(SqliteIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var full = System.IO.Path.GetFullPath(options.Path);
        DatabasePath = full;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _dense = new DenseVectorIndex(LoadVectors);
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
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, Schema, cancellationToken);
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES('schema_version', $v) ON CONFLICT(key) DO NOTHING;";
            cmd.Parameters.AddWithValue("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
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

    public async Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var doc = document.Document;
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

            await InsertChunksAsync(connection, tx, docRowId, document.Chunks, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        _dense.Invalidate();
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
        }
        finally
        {
            _writeLock.Release();
        }
        _dense.Invalidate();
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
        // The two BM25 legs run concurrently, each on its own pooled connection (SQLite readers do not block each other in WAL mode).
        var wordsTask = weights.Words > 0 && query.Terms.Count > 0
            ? SearchLegAsync("chunk_words", query.Terms, perLeg, query.Filter, cancellationToken)
            : Task.FromResult<IReadOnlyList<(long RowId, double Score)>>([]);
        var gramsTask = weights.NGrams > 0 && query.NGrams.Count > 0
            ? SearchLegAsync("chunk_ngrams", query.NGrams, perLeg, query.Filter, cancellationToken)
            : Task.FromResult<IReadOnlyList<(long RowId, double Score)>>([]);
        await using var connection = await OpenAsync(cancellationToken);
        var words = await wordsTask;
        var grams = await gramsTask;
        IReadOnlyList<(long RowId, double Score)> dense = [];
        if (weights.Dense > 0 && query.Vector is { Length: > 0 } vector)
        {
            var allowed = query.Filter is { IsEmpty: false } f ? await FilteredRowIdsAsync(connection, f, cancellationToken) : null;
            dense = _dense.Search(vector, perLeg, allowed);
        }

        var legs = new List<RankFusion.Leg<long>>(3)
        {
            new(weights.Words, words.Select(h => h.RowId).ToList()),
            new(weights.NGrams, grams.Select(h => h.RowId).ToList()),
            new(weights.Dense, dense.Select(h => h.RowId).ToList()),
        };
        var fused = RankFusion.Fuse(legs, weights.RrfK, query.Limit);
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
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        var names = new StringBuilder();
        var i = 0;
        foreach (var term in terms.Distinct(StringComparer.Ordinal))
        {
            var name = "$t" + i++.ToString(CultureInfo.InvariantCulture);
            names.Append(names.Length > 0 ? ", " : "").Append(name);
            cmd.Parameters.AddWithValue(name, term);
        }
        cmd.CommandText = "SELECT count(*) FROM chunks;";
        var total = Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        if (i > 0)
        {
            cmd.CommandText = $"SELECT term, doc FROM chunk_words_vocab WHERE term IN ({names});";
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                df[r.GetString(0)] = r.GetInt32(1);
            }
        }
        return new TermStatistics(total, df);
    }

    /// <summary>Releases pooled connections so database files can be deleted or copied.</summary>
    public static void ClearPools() => SqliteConnection.ClearAllPools();

    public ValueTask DisposeAsync()
    {
        _writeLock.Dispose();
        // Pooled connections keep the file open (and WAL un-checkpointed) until the pool is cleared.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var cmd = connection.CreateCommand();
        // 32 MB page cache: FTS5 merges its segments in memory during bulk ingestion.
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA cache_size=-32768;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return connection;
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

    private static async Task DeleteChunksAsync(SqliteConnection connection, SqliteTransaction tx, long docRowId, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, tx,
            """
            DELETE FROM chunk_words WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_rowid=$doc);
            DELETE FROM chunk_ngrams WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_rowid=$doc);
            DELETE FROM chunks WHERE doc_rowid=$doc;
            """);
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
            "INSERT INTO chunks(doc_rowid, ordinal, start, end, language, text, vector) VALUES($doc, $ord, $start, $end, $lang, $text, $vec) RETURNING rowid;");
        var pDoc = chunk.Parameters.Add("$doc", SqliteType.Integer);
        var pOrd = chunk.Parameters.Add("$ord", SqliteType.Integer);
        var pStart = chunk.Parameters.Add("$start", SqliteType.Integer);
        var pEnd = chunk.Parameters.Add("$end", SqliteType.Integer);
        var pLang = chunk.Parameters.Add("$lang", SqliteType.Text);
        var pText = chunk.Parameters.Add("$text", SqliteType.Text);
        var pVec = chunk.Parameters.Add("$vec", SqliteType.Blob);
        await using var words = Command(connection, tx, "INSERT INTO chunk_words(rowid, terms) VALUES($id, $t);");
        var pWordId = words.Parameters.Add("$id", SqliteType.Integer);
        var pWordText = words.Parameters.Add("$t", SqliteType.Text);
        await using var grams = Command(connection, tx, "INSERT INTO chunk_ngrams(rowid, grams) VALUES($id, $t);");
        var pGramId = grams.Parameters.Add("$id", SqliteType.Integer);
        var pGramText = grams.Parameters.Add("$t", SqliteType.Text);
        chunk.Prepare();
        words.Prepare();
        grams.Prepare();

        foreach (var c in chunks)
        {
            pDoc.Value = docRowId;
            pOrd.Value = c.Ordinal;
            pStart.Value = c.Start;
            pEnd.Value = c.End;
            pLang.Value = c.Language;
            pText.Value = c.Text;
            pVec.Value = c.Vector is { Length: > 0 } v ? VectorBlob.ToBytes(v) : DBNull.Value;
            var rowId = (long)(await chunk.ExecuteScalarAsync(cancellationToken))!;
            pWordId.Value = rowId;
            pWordText.Value = FtsText.Join(c.Terms);
            await words.ExecuteNonQueryAsync(cancellationToken);
            pGramId.Value = rowId;
            pGramText.Value = FtsText.Join(c.NGrams);
            await grams.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<IReadOnlyList<(long RowId, double Score)>> SearchLegAsync(string table, IReadOnlyList<string> terms, int limit,
        SearchFilter? filter, CancellationToken cancellationToken)
    {
        await Task.Yield(); // let the caller start the other leg before this one blocks in SQLite
        await using var connection = await OpenAsync(cancellationToken);
        return await SearchFtsAsync(connection, table, terms, limit, filter, cancellationToken);
    }

    private static async Task<IReadOnlyList<(long RowId, double Score)>> SearchFtsAsync(SqliteConnection connection, string table,
        IReadOnlyList<string> terms, int limit, SearchFilter? filter, CancellationToken cancellationToken)
    {
        var distinct = terms.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal).ToList();
        var maxTerms = table == "chunk_ngrams" ? FtsText.MaxNGramQueryTerms : FtsText.MaxQueryTerms;
        distinct = await MostSelectiveAsync(connection, table, distinct, maxTerms, cancellationToken);
        var match = FtsText.OrQuery(distinct);
        if (match.Length == 0)
        {
            return [];
        }
        await using var cmd = connection.CreateCommand();
        var where = new StringBuilder();
        AppendChunkFilter(cmd, where, filter);
        // bm25() is lower-is-better; negate so that higher is better everywhere else.
        cmd.CommandText = where.Length == 0
            ? $"SELECT rowid, -bm25({table}) FROM {table} WHERE {table} MATCH $q ORDER BY rank LIMIT $n;"
            : $"""
               SELECT f.rowid, -bm25({table}) AS s FROM {table} f JOIN chunks c ON c.rowid = f.rowid JOIN documents d ON d.rowid = c.doc_rowid
               WHERE {table} MATCH $q AND {where} ORDER BY s DESC LIMIT $n;
               """;
        cmd.Parameters.AddWithValue("$q", match);
        cmd.Parameters.AddWithValue("$n", limit);
        var hits = new List<(long, double)>(limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            hits.Add((r.GetInt64(0), r.GetDouble(1)));
        }
        return hits;
    }

    /// <summary>
    /// Chooses the query terms worth searching, rarest first: terms absent from the index are dropped (they match
    /// nothing), then terms are taken in order of document frequency while the sum of their document frequencies stays
    /// within <see cref="FtsText.PostingBudget"/> (at least <see cref="FtsText.MinQueryTerms"/> and at most
    /// <paramref name="keep"/> terms). FTS5's bm25() visits every posting of every query term, so this bounds the work
    /// of a query whatever the collection size; common terms, which it drops first, add the least to BM25.
    /// </summary>
    private static async Task<List<string>> MostSelectiveAsync(SqliteConnection connection, string table, List<string> terms, int keep,
        CancellationToken cancellationToken)
    {
        if (terms.Count == 0)
        {
            return terms;
        }
        await using var cmd = connection.CreateCommand();
        var names = new StringBuilder();
        for (var i = 0; i < terms.Count; i++)
        {
            var name = "$t" + i.ToString(CultureInfo.InvariantCulture);
            names.Append(i > 0 ? ", " : "").Append(name);
            cmd.Parameters.AddWithValue(name, terms[i]);
        }
        cmd.CommandText = $"SELECT term, doc FROM {table}_vocab WHERE term IN ({names});";
        var df = new List<(string Term, int Df)>(terms.Count);
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                df.Add((r.GetString(0), r.GetInt32(1)));
            }
        }
        var chosen = new List<string>(Math.Min(keep, df.Count));
        long postings = 0;
        foreach (var (term, count) in df.OrderBy(t => t.Df).ThenBy(t => t.Term, StringComparer.Ordinal))
        {
            if (chosen.Count >= keep || (chosen.Count >= FtsText.MinQueryTerms && postings + count > FtsText.PostingBudget))
            {
                break;
            }
            chosen.Add(term);
            postings += count;
        }
        return chosen;
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
            SELECT c.rowid, d.id, c.ordinal, c.start, c.end, c.text, d.title, c.language, d.date, d.outlet
            FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE c.rowid IN ({names});
            """;
        var rows = new Dictionary<long, ChunkHit>(rowIds.Count);
        var noRanks = new LegRanks(null, null, null);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            rows[r.GetInt64(0)] = new ChunkHit(r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetString(5),
                r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), 0, noRanks);
        }
        return rows;
    }

    private List<(long RowId, float[] Vector)> LoadVectors()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT rowid, vector FROM chunks WHERE vector IS NOT NULL;";
        var list = new List<(long, float[])>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add((r.GetInt64(0), VectorBlob.FromBytes((byte[])r.GetValue(1))));
        }
        return list;
    }

    // Chunk rowids double as FTS rowids. Both FTS tables are contentless (terms are analyzed by our analyzer and
    // joined by spaces; the 'ascii' tokenizer only splits them again) with contentless_delete so documents can be
    // replaced. detail=full keeps term frequencies for bm25().
    private const string Schema =
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
        """;
}
