using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>A chunk's analyzed columns as stored: word terms joined by spaces, and its n-gram source.</summary>
internal readonly record struct ChunkTerms(long RowId, string Terms, string GramSource);

/// <summary>
/// The two BM25 legs of the embedded store (analyzed words, character n-grams), held in memory and derived from the
/// chunks table: every chunk row stores its word terms and its compact n-gram source (<see cref="NGramSource"/>), so
/// the indexes are rebuilt from SQLite when first needed and then kept in step with each committed write.
/// SQLite stays the only durable copy; nothing here can disagree with it after a crash.
/// <para>
/// Chunk rowids are mapped to internal document numbers that only grow, because SQLite may reuse the rowid of a deleted
/// last row.
/// </para>
/// </summary>
internal sealed class ChunkLexicon : IDisposable
{
    private readonly TextAnalyzerOptions _analysis;
    private readonly Dictionary<long, int> _docByRowId = [];
    private long[] _rowIdByDoc = new long[1024];
    private int _nextDoc;

    public ChunkLexicon(Bm25Parameters words, Bm25Parameters grams, TextAnalyzerOptions analysis)
    {
        Words = new Bm25Index(words);
        NGrams = new Bm25Index(grams);
        _analysis = analysis;
    }

    public Bm25Index Words { get; }

    public Bm25Index NGrams { get; }

    /// <summary>Stored form of a chunk's word terms.</summary>
    public static string TermsColumn(ChunkToIndex chunk) => string.Join(' ', chunk.Terms.Where(t => !string.IsNullOrEmpty(t)));

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

    /// <summary>Applies one committed write: the chunks it removed, then those it added (rowids ascending).</summary>
    public void Apply(IReadOnlyList<ChunkTerms> removed, IReadOnlyList<ChunkTerms> added)
    {
        using var words = Words.OpenWriter();
        using var grams = NGrams.OpenWriter();
        foreach (var chunk in removed)
        {
            if (!_docByRowId.Remove(chunk.RowId, out var doc))
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

    public void Dispose()
    {
        Words.Dispose();
        NGrams.Dispose();
    }

    private void Add(Bm25Index.Writer words, Bm25Index.Writer grams, ChunkTerms chunk)
    {
        if (_docByRowId.ContainsKey(chunk.RowId))
        {
            return; // already indexed (rowids name one chunk for the life of the file)
        }
        var doc = _nextDoc++;
        if (doc == _rowIdByDoc.Length)
        {
            var grown = new long[doc * 2];
            Array.Copy(_rowIdByDoc, grown, doc);
            Volatile.Write(ref _rowIdByDoc, grown);
        }
        _rowIdByDoc[doc] = chunk.RowId;
        _docByRowId[chunk.RowId] = doc;
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
