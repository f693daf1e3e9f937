using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// The structures searches run on, derived from the chunks table: the BM25 lexicon (opened from its persisted file when
/// that file is whole and belongs to this database, else rebuilt from SQLite and then written) and the vector index
/// (loaded from SQLite). Both record the change-log sequence they reflect and apply every later change, whichever
/// process committed it. When enough changes have gathered on top of the lexicon file, a new file is written in the
/// background and the lexicon is swapped for one opened from it.
/// </summary>
public sealed partial class SqliteIndexStore
{
    private Task? _persisting;

    /// <summary>The lexicon's persisted form beside the database.</summary>
    public string LexiconPath => DatabasePath + ".lexicon";

    /// <summary>Whether the loaded lexicon stands on its file (for tests and diagnostics).</summary>
    internal bool IsLexiconPersisted => LoadedLexicon()?.IsPersisted == true;

    /// <summary>Whether the loaded lexicon was opened from its file (diagnostics: false when it was rebuilt from SQLite).</summary>
    public bool IsLexiconFromFile => IsLexiconPersisted;

    /// <summary>Waits for a lexicon file being written in the background (after a rebuild or enough changes), if any.</summary>
    public async Task FlushIndexFilesAsync(CancellationToken cancellationToken = default)
    {
        Task? persisting;
        lock (_loadGate)
        {
            persisting = _persisting;
        }
        if (persisting is not null)
        {
            await persisting.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The BM25 lexicon: opened from its file (then caught up with the change log), else built from the chunks table.</summary>
    private Task<ChunkLexicon> GetLexiconAsync(CancellationToken cancellationToken) =>
        GetInMemory(ref _lexicon, () =>
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            if (_options.PersistLexicon)
            {
                var current = ChunkChangeLog.CurrentSeq(connection);
                var opened = ChunkLexicon.TryOpen(LexiconPath, Words, Grams, new TextAnalyzerOptions(), _databaseId, current, out var reason);
                if (opened is not null)
                {
                    _lexiconSeq = opened.Seq;
                    CatchUp(connection, opened, null);
                    _logger?.LogInformation("Opened the lexicon file {Path} ({Documents} chunks at change {Seq}; {Applied} later changes applied).",
                        LexiconPath, opened.PersistedDocuments, opened.Seq, _lexiconSeq - opened.Seq);
                    return opened;
                }
                if (reason != "missing")
                {
                    _logger?.LogWarning("The lexicon file {Path} is not used ({Reason}); rebuilding it from the database.", LexiconPath, reason);
                }
            }
            var lexicon = new ChunkLexicon(Words, Grams, new TextAnalyzerOptions());
            using (var snapshot = connection.BeginTransaction(deferred: true)) // the rows and the sequence of one committed state
            {
                _lexiconSeq = ChunkChangeLog.CurrentSeq(connection, snapshot);
                lexicon.Load(connection, snapshot);
            }
            if (_options.PersistLexicon)
            {
                SchedulePersist(lexicon);
            }
            return lexicon;
        }, cancellationToken);

    private Lexical.Bm25Parameters Words => _options.Words ?? new();

    private Lexical.Bm25Parameters Grams => _options.NGrams ?? new();

    /// <summary>The vector index, loaded from the chunks table on first use.</summary>
    private Task<DenseVectorIndex> GetDenseAsync(CancellationToken cancellationToken) =>
        GetInMemory(ref _denseLoad, () =>
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var snapshot = connection.BeginTransaction(deferred: true);
            _denseSeq = ChunkChangeLog.CurrentSeq(connection, snapshot);
            _dense.Load(LoadVectors(connection, snapshot));
            return _dense;
        }, cancellationToken);

    /// <summary>
    /// Applies the changes any process committed since the loaded structures' sequence (nothing when none are loaded
    /// or the file's sequence has not moved: one indexed read). Waits at most a second for this process's writer (a
    /// lexicon file being written); a search then runs on what is loaded.
    /// </summary>
    private async Task CatchUpAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var lexicon = LoadedLexicon();
        var dense = LoadedDense();
        if (lexicon is null && dense is null)
        {
            return;
        }
        var current = await ChunkChangeLog.CurrentSeqAsync(connection, cancellationToken);
        if ((lexicon is null || current <= Volatile.Read(ref _lexiconSeq)) && (dense is null || current <= Volatile.Read(ref _denseSeq)))
        {
            return;
        }
        if (!await _writeLock.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken))
        {
            return;
        }
        try
        {
            CatchUpLocked(connection);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Brings every loaded structure to the file's latest committed state. Holds the write lock.</summary>
    private void CatchUpLocked(SqliteConnection connection)
    {
        var lexicon = LoadedLexicon();
        CatchUp(connection, lexicon, LoadedDense());
        if (lexicon is not null && _options.PersistLexicon && lexicon.IsPersisted
            && lexicon.PendingChanges >= Math.Max(_options.LexiconRewriteChanges, lexicon.PersistedDocuments / 50))
        {
            SchedulePersist(lexicon);
        }
    }

    /// <summary>Applies the change log to <paramref name="lexicon"/> and <paramref name="dense"/>, a page at a time. Holds the write lock.</summary>
    private void CatchUp(SqliteConnection connection, ChunkLexicon? lexicon, DenseVectorIndex? dense)
    {
        while (lexicon is not null || dense is not null)
        {
            var since = Math.Min(lexicon is null ? long.MaxValue : _lexiconSeq, dense is null ? long.MaxValue : _denseSeq);
            var page = ChunkChangeLog.ReadPage(connection, since, withVectors: dense is not null);
            if (page.Count == 0)
            {
                return;
            }
            var last = page[^1].Seq;
            if (lexicon is not null && last > _lexiconSeq)
            {
                var removed = new List<ChunkTerms>();
                var added = new List<ChunkTerms>();
                foreach (var change in page.Where(c => c.Seq > _lexiconSeq && c.RowId >= 0))
                {
                    (change.Removed ? removed : added).Add(new ChunkTerms(change.RowId, change.Terms, change.GramSource));
                }
                lexicon.Apply(removed, added);
                Volatile.Write(ref _lexiconSeq, last);
            }
            if (dense is not null && last > _denseSeq)
            {
                var changes = page.Where(c => c.Seq > _denseSeq && c.RowId >= 0).ToList();
                dense.Apply([.. changes.Where(c => c.Removed).Select(c => c.RowId)],
                    [.. changes.Where(c => !c.Removed && c.Vector is { Length: > 0 }).Select(c => (c.RowId, c.Vector!))]);
                Volatile.Write(ref _denseSeq, last);
            }
        }
    }

    /// <summary>Starts writing <paramref name="lexicon"/> to its file in the background unless a write is under way.</summary>
    private void SchedulePersist(ChunkLexicon lexicon)
    {
        lock (_loadGate)
        {
            if (_persisting is null || _persisting.IsCompleted)
            {
                _persisting = Task.Run(() => PersistAsync(lexicon));
            }
        }
    }

    /// <summary>
    /// Writes the loaded lexicon (caught up first) to its file under the write lock, then swaps in a lexicon opened from
    /// that file. The previous lexicon is not disposed: searches may still be reading it; the GC releases it.
    /// </summary>
    private async Task PersistAsync(ChunkLexicon expected)
    {
        try
        {
            if (_lexicon is { } loading)
            {
                await loading; // the lexicon a load scheduled this for becomes the loaded one when its load completes
            }
            await _writeLock.WaitAsync();
            try
            {
                var lexicon = LoadedLexicon();
                if (lexicon is null || !ReferenceEquals(lexicon, expected))
                {
                    return;
                }
                await using var connection = await OpenAsync(CancellationToken.None);
                CatchUp(connection, lexicon, LoadedDense());
                var clock = System.Diagnostics.Stopwatch.StartNew();
                lexicon.Write(LexiconPath, _lexiconSeq, _databaseId);
                var reopened = ChunkLexicon.TryOpen(LexiconPath, Words, Grams, new TextAnalyzerOptions(), _databaseId, _lexiconSeq, out var reason)
                    ?? throw new InvalidDataException($"The lexicon file just written cannot be opened: {reason}");
                lock (_loadGate)
                {
                    _lexicon = Task.FromResult(reopened);
                }
                _logger?.LogInformation("Wrote the lexicon file {Path} ({Documents} chunks at change {Seq}) in {Ms} ms.",
                    LexiconPath, reopened.PersistedDocuments, reopened.Seq, clock.ElapsedMilliseconds);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or SqliteException)
        {
            // Searches keep running on the loaded lexicon; the next start rebuilds from SQLite.
            _logger?.LogWarning(e, "Could not write the lexicon file {Path}.", LexiconPath);
        }
    }

    /// <summary>
    /// One in-memory structure derived from the chunks table: loaded once (again after a failed load), by a load that
    /// holds the write lock, so no write commits between the rows it reads and the moment later writes start updating it.
    /// </summary>
    private Task<T> GetInMemory<T>(ref Task<T>? slot, Func<T> load, CancellationToken cancellationToken)
    {
        lock (_loadGate)
        {
            if (slot is null || slot.IsFaulted || slot.IsCanceled)
            {
                slot = LoadUnderWriteLockAsync(load);
            }
            return cancellationToken.CanBeCanceled ? slot.WaitAsync(cancellationToken) : slot;
        }
    }

    private async Task<T> LoadUnderWriteLockAsync<T>(Func<T> load)
    {
        await InitializeAsync(CancellationToken.None);
        await _writeLock.WaitAsync(CancellationToken.None);
        try
        {
            return await Task.Run(load);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The structure when loaded (writes must keep it in step), else null (a later load reads the rows).</summary>
    private T? Loaded<T>(ref Task<T>? slot)
        where T : class
    {
        lock (_loadGate)
        {
            return slot is { IsCompletedSuccessfully: true } task ? task.Result : null;
        }
    }

    private ChunkLexicon? LoadedLexicon() => Loaded(ref _lexicon);

    private DenseVectorIndex? LoadedDense() => Loaded(ref _denseLoad);
}
