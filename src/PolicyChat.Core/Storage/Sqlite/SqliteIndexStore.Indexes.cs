using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>
/// The structures searches run on, derived from the chunks table: the BM25 lexicon (opened from its persisted segments
/// when they are whole and belong to this database, else rebuilt from SQLite and then written) and the vector index
/// (loaded from SQLite). Both record the change-log sequence they reflect and apply every later change, whichever
/// process committed it. When enough changes have gathered on top of the persisted segments, they are written in the
/// background as one more small segment (with deletion marks), and segments are merged in the background; a process
/// whose segments another process replaced reopens the new ones.
/// </summary>
public sealed partial class SqliteIndexStore
{
    /// <summary>Segments beyond the first before the later ones are merged into one.</summary>
    private const int MaxLexiconSegments = 8;

    private Task? _persisting;
    private Task? _applying;
    private bool _applyAgain;

    /// <summary>The lexicon's persisted form beside the database.</summary>
    public string LexiconPath => DatabasePath + ".lexicon";

    /// <summary>Whether the loaded lexicon stands on its file (for tests and diagnostics).</summary>
    internal bool IsLexiconPersisted => LoadedLexicon()?.IsPersisted == true;

    /// <summary>Whether the loaded lexicon was opened from its file (diagnostics: false when it was rebuilt from SQLite).</summary>
    public bool IsLexiconFromFile => IsLexiconPersisted;

    /// <summary>
    /// Waits for this process's committed writes to be applied to the loaded structures, and for lexicon segments being
    /// written or merged in the background (after a rebuild or enough changes), if any.
    /// </summary>
    public async Task FlushIndexFilesAsync(CancellationToken cancellationToken = default)
    {
        Task? applying;
        lock (_loadGate)
        {
            applying = _applying;
        }
        if (applying is not null)
        {
            await applying.WaitAsync(cancellationToken);
        }
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

    /// <summary>
    /// After a commit: applies the change log to the loaded structures in the background, so the writer goes on with
    /// the next write (a search applies what is still pending itself before it runs). Writes that commit meanwhile are
    /// applied by the same task, in pages.
    /// </summary>
    private void ScheduleCatchUp()
    {
        lock (_loadGate)
        {
            if (_lexicon is not { IsCompletedSuccessfully: true } && _denseLoad is not { IsCompletedSuccessfully: true })
            {
                return; // nothing loaded: a later load reads the rows
            }
            if (_applying is null)
            {
                _applying = Task.Run(ApplyChangesAsync);
            }
            else
            {
                _applyAgain = true;
            }
        }
    }

    private async Task ApplyChangesAsync()
    {
        while (true)
        {
            try
            {
                await _indexLock.WaitAsync();
                try
                {
                    await using var connection = await OpenAsync(CancellationToken.None);
                    CatchUpLocked(connection);
                }
                finally
                {
                    _indexLock.Release();
                }
            }
            catch (Exception e) when (e is SqliteException or IOException or InvalidDataException)
            {
                // The next search applies the changes itself.
                _logger?.LogWarning(e, "Could not apply committed changes to the in-memory indexes.");
            }
            lock (_loadGate)
            {
                if (!_applyAgain)
                {
                    _applying = null;
                    return;
                }
                _applyAgain = false;
            }
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
                var opened = ChunkLexicon.TryOpen(LexiconPath, Words, Grams, new TextAnalyzerOptions(), _databaseId, current, null, out var reason);
                if (opened is not null)
                {
                    _lexiconSeq = opened.Seq;
                    CatchUp(connection, opened, null);
                    _logger?.LogInformation("Opened the lexicon {Path} ({Documents} chunks in {Segments} segments at change {Seq}; {Applied} later changes applied).",
                        LexiconPath, opened.PersistedDocuments, opened.Segments.Count, opened.Seq, _lexiconSeq - opened.Seq);
                    if (opened.PendingChanges >= _options.LexiconRewriteChanges)
                    {
                        SchedulePersist(opened); // another process's writes: the next start opens them instead of applying them again
                    }
                    return opened;
                }
                if (reason != "missing")
                {
                    _logger?.LogWarning("The lexicon {Path} is not used ({Reason}); rebuilding it from the database.", LexiconPath, reason);
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
    /// or the file's sequence has not moved: one indexed read). Waits at most a second for the index lock (held while
    /// changes are applied or segments written); a search then runs on what is loaded.
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
        if (!await _indexLock.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken))
        {
            return;
        }
        try
        {
            CatchUpLocked(connection);
        }
        finally
        {
            _indexLock.Release();
        }
    }

    /// <summary>Brings every loaded structure to the file's latest committed state. Holds the index lock.</summary>
    private void CatchUpLocked(SqliteConnection connection)
    {
        var lexicon = LoadedLexicon();
        CatchUp(connection, lexicon, LoadedDense());
        if (lexicon is not null && _options.PersistLexicon && lexicon.IsPersisted && lexicon.PendingChanges >= _options.LexiconRewriteChanges)
        {
            SchedulePersist(lexicon);
        }
    }

    /// <summary>Applies the change log to <paramref name="lexicon"/> and <paramref name="dense"/>, a page at a time. Holds the index lock.</summary>
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

    /// <summary>Starts writing <paramref name="lexicon"/>'s changes as a segment in the background unless a write is under way.</summary>
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
    /// Writes the loaded lexicon's changes (caught up first) as a new segment under the index lock (a small file: the
    /// changes since the last one), then, when segments are worth merging, merges them with no lock held and swaps the
    /// merged segment in under the index lock. Segment files are written under a file lock shared by every process; a
    /// process that finds another's manifest on disk reopens that one instead of writing (it applies the change log since).
    /// </summary>
    private async Task PersistAsync(ChunkLexicon expected)
    {
        try
        {
            if (_lexicon is { } loading)
            {
                await loading; // the lexicon a load scheduled this for becomes the loaded one when its load completes
            }
            LexiconMerge? merge;
            await _indexLock.WaitAsync();
            try
            {
                if (LoadedLexicon() is not { } lexicon || !ReferenceEquals(lexicon, expected))
                {
                    return;
                }
                await using var connection = await OpenAsync(CancellationToken.None);
                CatchUp(connection, lexicon, LoadedDense());
                using var fileLock = TryLockLexiconFiles();
                if (fileLock is null || !StandsOnDisk(connection, lexicon))
                {
                    return;
                }
                if (lexicon.PendingChanges > 0 || !lexicon.IsPersisted)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var pending = lexicon.PendingChanges;
                    var manifest = lexicon.WriteSegment(LexiconPath, _lexiconSeq, _databaseId);
                    ChunkLexicon.DeleteUnlisted(LexiconPath, manifest);
                    _logger?.LogInformation("Wrote a lexicon segment ({Changes} changes, at change {Seq}) in {Ms} ms; {Segments} segments.",
                        pending, _lexiconSeq, clock.ElapsedMilliseconds, manifest.Segments.Count);
                }
                merge = lexicon.PlanMerge(MaxLexiconSegments);
            }
            finally
            {
                _indexLock.Release();
            }
            if (merge is not null)
            {
                await MergeAsync(expected, merge);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or SqliteException)
        {
            // Searches keep running on the loaded lexicon; the change log brings a restart up to date.
            _logger?.LogWarning(e, "Could not write the lexicon segments beside {Path}.", LexiconPath);
        }
    }

    /// <summary>Merges segments with no lock held, then stands the lexicon on the merged segment under the index lock.</summary>
    private async Task MergeAsync(ChunkLexicon lexicon, LexiconMerge merge)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var merged = await Task.Run(() => ChunkLexicon.WriteMerged(LexiconPath, _databaseId, merge));
        var used = false;
        await _indexLock.WaitAsync();
        try
        {
            using var fileLock = TryLockLexiconFiles();
            if (fileLock is not null && ReferenceEquals(LoadedLexicon(), lexicon) && DiskManifest() is { } disk
                && lexicon.Manifest is { } current && current.SameSegments(disk)
                && lexicon.ReplaceSegments(LexiconPath, merge, merged) is { } manifest)
            {
                used = true;
                ChunkLexicon.DeleteUnlisted(LexiconPath, manifest);
                _logger?.LogInformation("Merged {Count} lexicon segments ({Documents} chunks) in {Ms} ms; {Segments} segments.",
                    merge.Segments.Count, merged.Header.DocCount, clock.ElapsedMilliseconds, manifest.Segments.Count);
            }
        }
        finally
        {
            _indexLock.Release();
            if (!used)
            {
                merged.File.Dispose();
                File.Delete(Path.Combine(Path.GetDirectoryName(LexiconPath)!, merged.Name));
            }
        }
    }

    /// <summary>
    /// Whether the manifest on disk is the one <paramref name="lexicon"/> stands on (or it stands on none yet: its write
    /// replaces the disk's). Otherwise another process wrote segments: the lexicon is swapped for one opened from them
    /// and caught up with the change log, and false is returned. Holds the index lock and the file lock.
    /// </summary>
    private bool StandsOnDisk(SqliteConnection connection, ChunkLexicon lexicon)
    {
        if (lexicon.Manifest is not { } current)
        {
            return true;
        }
        var disk = DiskManifest();
        if (disk is not null && current.SameSegments(disk))
        {
            return true;
        }
        var reopened = ChunkLexicon.TryOpen(LexiconPath, Words, Grams, new TextAnalyzerOptions(), _databaseId, ChunkChangeLog.CurrentSeq(connection),
            lexicon.Segments, out var reason);
        if (reopened is null)
        {
            _logger?.LogWarning("The lexicon {Path} changed on disk and cannot be opened ({Reason}); this process keeps its own until a restart.", LexiconPath, reason);
            return false;
        }
        var seq = _lexiconSeq;
        _lexiconSeq = reopened.Seq;
        CatchUp(connection, reopened, null);
        lock (_loadGate)
        {
            _lexicon = Task.FromResult(reopened);
        }
        _logger?.LogInformation("Another process rewrote the lexicon {Path}; reopened it at change {Seq} (this process was at {Own}).", LexiconPath, reopened.Seq, seq);
        return false;
    }

    private LexiconManifest.Contents? DiskManifest()
    {
        try
        {
            return LexiconManifest.Read(LexiconPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The lock every process takes to write the lexicon's files, or null while another holds it.</summary>
    private FileStream? TryLockLexiconFiles()
    {
        try
        {
            return new FileStream(LexiconPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// One in-memory structure derived from the chunks table: loaded once (again after a failed load) from one committed
    /// state (rows and change sequence read in one snapshot), under the index lock; the change log brings it up to date.
    /// </summary>
    private Task<T> GetInMemory<T>(ref Task<T>? slot, Func<T> load, CancellationToken cancellationToken)
    {
        lock (_loadGate)
        {
            if (slot is null || slot.IsFaulted || slot.IsCanceled)
            {
                slot = LoadUnderIndexLockAsync(load);
            }
            return cancellationToken.CanBeCanceled ? slot.WaitAsync(cancellationToken) : slot;
        }
    }

    private async Task<T> LoadUnderIndexLockAsync<T>(Func<T> load)
    {
        await InitializeAsync(CancellationToken.None);
        await _indexLock.WaitAsync(CancellationToken.None);
        try
        {
            return await Task.Run(load);
        }
        finally
        {
            _indexLock.Release();
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
