using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>A chunk's analyzed columns as stored: word terms joined by spaces, and its n-gram source.</summary>
internal readonly record struct ChunkTerms(long RowId, string Terms, string GramSource);

/// <summary>
/// The two BM25 legs of the embedded store (analyzed words, character n-grams), derived from the chunks table: every
/// chunk row stores its word terms and its compact n-gram source (<see cref="NGramSource"/>). Built from SQLite
/// (<see cref="Load"/>) or opened from its persisted form (<see cref="TryOpen"/>: a manifest listing segment files,
/// memory-mapped, nothing rebuilt), then kept in step with each committed change. SQLite stays the source of truth.
/// <para>
/// Writes reach the persisted form incrementally (ChunkLexicon.Persist.cs): the changes since the last segment are
/// written as a new small segment with deletion marks for the earlier chunks they removed, and segments are merged in
/// the background.
/// </para>
/// <para>
/// Chunks are numbered by internal document numbers in rowid order (rowids only grow), so the rowid of a document is
/// an array read and the document of a rowid a binary search. A removed chunk keeps its number until a rebuild.
/// </para>
/// </summary>
internal sealed partial class ChunkLexicon : IDisposable
{
    private readonly TextAnalyzerOptions _analysis;
    private long[] _rowIdByDoc;
    private int _nextDoc;

    public ChunkLexicon(Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis)
    {
        Words = new Bm25Index(words);
        NGrams = new Bm25Index(grams);
        _analysis = analysis;
        _rowIdByDoc = new long[1024];
    }

    private ChunkLexicon(Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis, LexiconManifest.Contents manifest,
        List<LexiconSegment> segments)
    {
        _analysis = analysis;
        var removed = new List<int>();
        var end = 0;
        foreach (var segment in segments)
        {
            if (segment.FirstDoc != end)
            {
                throw new InvalidDataException($"segment {segment.Name} starts at document {segment.FirstDoc}, not {end}");
            }
            if (segment.Header.Seq > manifest.Seq)
            {
                throw new InvalidDataException($"segment {segment.Name} reflects change {segment.Header.Seq}, later than its manifest ({manifest.Seq})");
            }
            foreach (var doc in segment.Removed)
            {
                if (doc < 0 || doc >= segment.FirstDoc)
                {
                    throw new InvalidDataException($"segment {segment.Name} marks document {doc} removed, not one before it");
                }
                removed.Add(doc);
            }
            end = segment.EndDoc;
        }
        Words = new Bm25Index(words, [.. segments.Select(s => s.Words)], removed);
        NGrams = new Bm25Index(grams, [.. segments.Select(s => s.Grams)], removed);
        _rowIdByDoc = new long[Math.Max(1024, end + 1024)];
        foreach (var segment in segments)
        {
            segment.RowIds.CopyTo(_rowIdByDoc.AsSpan(segment.FirstDoc));
        }
        for (var doc = 1; doc < end; doc++)
        {
            if (_rowIdByDoc[doc] <= _rowIdByDoc[doc - 1])
            {
                throw new InvalidDataException("the segments' chunk rowids are not in increasing order");
            }
        }
        _nextDoc = end;
        _segments = segments;
        _manifest = manifest;
        Seq = manifest.Seq;
    }

    public Bm25Index Words { get; }

    public Bm25Index NGrams { get; }

    /// <summary>The change-log sequence the persisted segments reflect (0 for a lexicon built from SQLite and not written yet).</summary>
    public long Seq { get; private set; }

    /// <summary>Whether this lexicon stands on persisted segments.</summary>
    public bool IsPersisted => _manifest is not null;

    /// <summary>Changes a new segment would hold: all documents when none was written, else those added or removed since.</summary>
    public int PendingChanges => _manifest is null ? _nextDoc : Words.PendingChanges;

    /// <summary>Documents held by the persisted segments.</summary>
    public int PersistedDocuments => Words.SegmentDocuments;

    /// <summary>Stored form of a chunk's word terms.</summary>
    public static string TermsColumn(ChunkToIndex chunk) => TermsColumn(chunk.Terms);

    /// <summary>Stored form of word terms (a chunk's: its document title's, then its text's).</summary>
    public static string TermsColumn(IEnumerable<string> terms) => string.Join(' ', terms.Where(t => !string.IsNullOrEmpty(t)));

    /// <summary>Stored form of a chunk's n-grams.</summary>
    public static string GramColumn(ChunkToIndex chunk) => chunk.NGramSource ?? NGramSource.FromGrams(chunk.NGrams);

    /// <summary>Reads every chunk (synchronously: the index writers are thread-bound) and indexes it.</summary>
    public void Load(SqliteConnection connection, SqliteTransaction? snapshot = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = snapshot;
        cmd.CommandText = "SELECT rowid, terms, gram_source FROM chunks ORDER BY rowid;";
        using var reader = cmd.ExecuteReader();
        using var words = Words.OpenWriter();
        using var grams = NGrams.OpenWriter();
        while (reader.Read())
        {
            Add(words, grams, new ChunkTerms(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }
        words.TrimExcess();
        grams.TrimExcess();
    }

    /// <summary>Applies committed changes: the chunks removed, then those added (rowids ascending).</summary>
    public void Apply(IReadOnlyList<ChunkTerms> removed, IReadOnlyList<ChunkTerms> added)
    {
        using var words = Words.OpenWriter();
        using var grams = NGrams.OpenWriter();
        foreach (var chunk in removed)
        {
            if (DocOf(chunk.RowId) is not { } doc || !Words.IsLiveUnlocked(doc))
            {
                continue;
            }
            words.BeginRemove(doc);
            AddWords(words, chunk.Terms);
            words.End();
            grams.BeginRemove(doc);
            AddGrams(grams, chunk.GramSource);
            grams.End();
        }
        foreach (var chunk in added)
        {
            Add(words, grams, chunk);
        }
    }

    /// <summary>Searches one leg; hits come back as chunk rowids.</summary>
    public List<(long RowId, double Score)> Search(Bm25Index index, IReadOnlyList<string> terms, int limit, QueryBudget budget,
        IReadOnlySet<long>? allowedRowIds)
    {
        // A document's rowid never changes once assigned and the array only grows (a writer copies, then publishes),
        // so the latest array maps every document the index can return.
        var hits = index.Search(terms, limit, budget, allowedRowIds is null ? null : doc => allowedRowIds.Contains(RowIdOf(doc)));
        var result = new List<(long, double)>(hits.Count);
        foreach (var (doc, score) in hits)
        {
            result.Add((RowIdOf(doc), score));
        }
        return result;
    }

    private long RowIdOf(int doc) => Volatile.Read(ref _rowIdByDoc)[doc];

    /// <summary>The document of <paramref name="rowId"/>, or null (documents are in rowid order).</summary>
    private int? DocOf(long rowId)
    {
        var doc = Array.BinarySearch(_rowIdByDoc, 0, _nextDoc, rowId);
        return doc >= 0 ? doc : null;
    }

    /// <summary>Releases the indexes and the maps of the segments this lexicon stands on (when no search can run any more).</summary>
    public void Dispose()
    {
        Words.Dispose();
        NGrams.Dispose();
        foreach (var segment in _segments)
        {
            segment.File.Dispose();
        }
    }

    // Once per chunk, with the gram expansion inlined: fully optimized from the first call, so that a short ingestion
    // run does not spend its first seconds in tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Add(Bm25Index.Writer words, Bm25Index.Writer grams, ChunkTerms chunk)
    {
        if (_nextDoc > 0 && chunk.RowId <= _rowIdByDoc[_nextDoc - 1])
        {
            if (DocOf(chunk.RowId) is not null)
            {
                return; // already indexed (a rowid names one chunk for the life of the file)
            }
            throw new InvalidOperationException($"Chunk rowid {chunk.RowId} arrived after {_rowIdByDoc[_nextDoc - 1]}: rowids must only grow.");
        }
        var doc = _nextDoc++;
        if (doc == _rowIdByDoc.Length)
        {
            var grown = new long[doc * 2];
            Array.Copy(_rowIdByDoc, grown, doc);
            Volatile.Write(ref _rowIdByDoc, grown);
        }
        _rowIdByDoc[doc] = chunk.RowId;
        words.BeginAdd(doc);
        AddWords(words, chunk.Terms);
        words.End();
        grams.BeginAdd(doc);
        AddGrams(grams, chunk.GramSource);
        grams.End();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddWords(Bm25Index.Writer writer, ReadOnlySpan<char> terms)
    {
        foreach (var range in terms.Split(' '))
        {
            writer.Add(terms[range]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddGrams(Bm25Index.Writer writer, string source)
    {
        var output = new WriterOutput(writer);
        NGramSource.Expand(source, _analysis, ref output);
    }

    private readonly struct WriterOutput(Bm25Index.Writer writer) : IGramOutput
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ReadOnlySpan<char> gram) => writer.Add(gram);
    }
}
