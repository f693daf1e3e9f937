using PolicyChat.Core.Storage.Lexical;

namespace PolicyChat.Core.Storage.Sqlite;

public sealed record SqliteIndexOptions
{
    /// <summary>
    /// Database file; the folder is created when missing. Default: policychat.db in the shared data directory
    /// (<see cref="Hosting.DataDirectory"/>: POLICYCHAT_DATA, else ~/.local/share/policychat), the same for CLI and server.
    /// </summary>
    public string Path { get; init; } = Hosting.DataDirectory.IndexPath;

    /// <summary>BM25 parameters of the word leg (k1 0.9, b 0.4: tuned on XQuAD-ar, see README "Measurements").</summary>
    public Bm25Parameters Words { get; init; } = new() { K1 = 0.9, B = 0.4 };

    /// <summary>BM25 parameters of the character n-gram leg (k1 0.6: grams saturate sooner than words).</summary>
    public Bm25Parameters NGrams { get; init; } = new() { K1 = 0.6 };

    /// <summary>
    /// Most postings one leg of one query evaluates (its rarest terms are kept first): bounds search work at any
    /// collection size. About 1 ms per 50,000 postings on one core (measured by the `lexical` benchmark).
    /// </summary>
    public int PostingBudget { get; init; } = QueryBudget.Default.PostingBudget;

    /// <summary>
    /// Keep the BM25 indexes in memory-mapped segment files beside the database (listed by <c>policychat.db.lexicon</c>)
    /// so a start opens them instead of rebuilding them from SQLite. A missing or damaged file is rebuilt.
    /// </summary>
    public bool PersistLexicon { get; init; } = true;

    /// <summary>
    /// The changes since the last lexicon segment are written as a new segment in the background once this many chunks
    /// were added or removed; until then a start applies them from the change log.
    /// </summary>
    public int LexiconRewriteChanges { get; init; } = 2_000;

    /// <summary>
    /// Vector search: Quantized (default: 1-bit scan, int8 rescoring, about 1.2 KB per 1,024-dim vector) or Exact
    /// (floats, 4 KB per vector). Measured by the `dense` benchmark.
    /// </summary>
    public DenseSearchMode DenseSearch { get; init; } = DenseSearchMode.Quantized;

    /// <summary>Quantized search rescores this many candidates per result wanted (at least 200 in all).</summary>
    public int DenseOversample { get; init; } = 20;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return "Storage:Sqlite:Path must name a database file (for example /var/lib/policychat/policychat.db).";
        }
        foreach (var error in (Words ?? new()).Validate("Storage:Sqlite:Words").Concat((NGrams ?? new()).Validate("Storage:Sqlite:NGrams")))
        {
            yield return error;
        }
        if (PostingBudget < 1_000)
        {
            yield return $"Storage:Sqlite:PostingBudget must be at least 1000 postings (default {QueryBudget.Default.PostingBudget}), not {PostingBudget}.";
        }
        if (!Enum.IsDefined(DenseSearch))
        {
            yield return $"Storage:Sqlite:DenseSearch must be Quantized or Exact, not {DenseSearch}.";
        }
        if (LexiconRewriteChanges < 1)
        {
            yield return $"Storage:Sqlite:LexiconRewriteChanges must be at least 1 (default 2000), not {LexiconRewriteChanges}.";
        }
        if (DenseOversample is < 1 or > 1000)
        {
            yield return $"Storage:Sqlite:DenseOversample must be between 1 and 1000 candidates per result (default 20), not {DenseOversample}.";
        }
    }
}
