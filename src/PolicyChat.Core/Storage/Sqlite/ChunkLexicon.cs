using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>A chunk's analyzed columns as stored: word terms joined by spaces, and its n-gram source.</summary>
internal readonly record struct ChunkTerms(long RowId, string Terms, string GramSource);

/// <summary>
/// The two BM25 legs of the embedded store (analyzed words, character n-grams), derived from the chunks table: every
/// chunk row stores its word terms and its compact n-gram source (<see cref="NGramSource"/>). Built from SQLite
/// (<see cref="Load"/>) or opened from its persisted form (<see cref="TryOpen"/>, <see cref="LexiconFile"/>: memory-mapped,
/// nothing rebuilt), then kept in step with each committed change. SQLite stays the source of truth.
/// <para>
/// Chunks are numbered by internal document numbers in rowid order (rowids only grow), so the rowid of a document is
/// an array read and the document of a rowid a binary search.
/// </para>
/// </summary>
internal sealed class ChunkLexicon : IDisposable
{
    private readonly TextAnalyzerOptions _analysis;
    private readonly MappedFile? _file;
    private long[] _rowIdByDoc;
    private int _nextDoc;

    public ChunkLexicon(Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis)
    {
        Words = new Bm25Index(words);
        NGrams = new Bm25Index(grams);
        _analysis = analysis;
        _rowIdByDoc = new long[1024];
    }

    private ChunkLexicon(Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis, MappedFile file, LexiconFile.Header header)
    {
        _analysis = analysis;
        _file = file;
        Words = new Bm25Index(words, new Bm25Segment(file, header.Words));
        NGrams = new Bm25Index(grams, new Bm25Segment(file, header.Grams));
        if (header.Words.DocCount != header.DocCount || header.Grams.DocCount != header.DocCount)
        {
            throw new InvalidDataException("the legs disagree on the number of documents");
        }
        _rowIdByDoc = new long[Math.Max(1024, header.DocCount + 1024)];
        file.Array<long>(header.RowIds, header.DocCount).CopyTo(_rowIdByDoc);
        _nextDoc = header.DocCount;
        Seq = header.Seq;
    }

    public Bm25Index Words { get; }

    public Bm25Index NGrams { get; }

    /// <summary>The change-log sequence the opened file reflected (0 for a lexicon built from SQLite).</summary>
    public long Seq { get; }

    /// <summary>Whether this lexicon stands on a file.</summary>
    public bool IsPersisted => _file is not null;

    /// <summary>Changes a new file would fold in: all documents when none was written, else those added or removed since.</summary>
    public int PendingChanges => _file is null ? _nextDoc : Words.PendingChanges;

    /// <summary>Documents in the file this lexicon stands on.</summary>
    public int PersistedDocuments => Words.BaseDocuments;

    /// <summary>Stored form of a chunk's word terms.</summary>
    public static string TermsColumn(ChunkToIndex chunk) => string.Join(' ', chunk.Terms.Where(t => !string.IsNullOrEmpty(t)));

    /// <summary>Stored form of a chunk's n-grams.</summary>
    public static string GramColumn(ChunkToIndex chunk) => chunk.NGramSource ?? NGramSource.FromGrams(chunk.NGrams);

    /// <summary>
    /// Opens the persisted lexicon at <paramref name="path"/> when it belongs to <paramref name="databaseId"/>, reflects a
    /// sequence no later than <paramref name="currentSeq"/> and is whole (length and hash); otherwise returns null with
    /// the reason.
    /// </summary>
    public static ChunkLexicon? TryOpen(string path, Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis,
        Guid databaseId, long currentSeq, out string? reason)
    {
        if (!File.Exists(path))
        {
            reason = "missing";
            return null;
        }
        MappedFile? file = null;
        try
        {
            file = MappedFile.Open(path);
            var header = LexiconFile.Decode(file);
            if (header.DatabaseId != databaseId)
            {
                throw new InvalidDataException("written for another database file");
            }
            if (header.Seq > currentSeq)
            {
                throw new InvalidDataException($"reflects change {header.Seq}, later than the database's last ({currentSeq})");
            }
            if (IndexFileWriter.HashBody(file, LexiconFile.HeaderSize) != header.BodyHash)
            {
                throw new InvalidDataException("corrupt: its checksum does not match");
            }
            reason = null;
            return new ChunkLexicon(words, grams, analysis, file, header);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or OverflowException or ArgumentException)
        {
            file?.Dispose();
            reason = e.Message;
            return null;
        }
    }

    /// <summary>
    /// Writes the live documents, renumbered densely, to <paramref name="path"/> as reflecting <paramref name="seq"/>
    /// (a temporary file renamed over the old one). The caller keeps writers out meanwhile.
    /// </summary>
    public void Write(string path, long seq, Guid databaseId)
    {
        var docMap = new int[_nextDoc];
        var live = 0;
        for (var doc = 0; doc < _nextDoc; doc++)
        {
            docMap[doc] = Words.IsLive(doc) ? live++ : -1;
        }
        var rowIds = new long[live];
        for (var doc = 0; doc < _nextDoc; doc++)
        {
            if (docMap[doc] >= 0)
            {
                rowIds[docMap[doc]] = _rowIdByDoc[doc];
            }
        }
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var writer = new IndexFileWriter(temporary, LexiconFile.HeaderSize))
            {
                var words = Words.WriteTo(writer, docMap, live);
                var grams = NGrams.WriteTo(writer, docMap, live);
                var rowIdsAt = writer.Position;
                writer.WriteArray<long>(rowIds);
                writer.Finish(LexiconFile.Encode(new LexiconFile.Header(writer.Position, seq, databaseId, live, rowIdsAt, words, grams, writer.BodyHash)));
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

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

    public void Dispose()
    {
        Words.Dispose();
        NGrams.Dispose();
        _file?.Dispose();
    }

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

    private static void AddWords(Bm25Index.Writer writer, ReadOnlySpan<char> terms)
    {
        foreach (var range in terms.Split(' '))
        {
            writer.Add(terms[range]);
        }
    }

    private void AddGrams(Bm25Index.Writer writer, string source)
    {
        var output = new WriterOutput(writer);
        NGramSource.Expand(source, _analysis, ref output);
    }

    private readonly struct WriterOutput(Bm25Index.Writer writer) : IGramOutput
    {
        public void Add(ReadOnlySpan<char> gram) => writer.Add(gram);
    }
}
