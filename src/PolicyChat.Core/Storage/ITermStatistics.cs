namespace PolicyChat.Core.Storage;

/// <summary>Chunk counts and word-term document frequencies, for IDF weighting (abstention, citation support).</summary>
public sealed record TermStatistics(int TotalChunks, IReadOnlyDictionary<string, int> DocumentFrequency)
{
    public static TermStatistics Empty { get; } = new(0, new Dictionary<string, int>());

    /// <summary>BM25's IDF, ln(1 + (N − df + 0.5) / (df + 0.5)); uniform 1 when no statistics are known.</summary>
    public double Idf(string term)
    {
        if (TotalChunks == 0)
        {
            return 1.0;
        }
        var df = DocumentFrequency.TryGetValue(term, out var d) ? d : 0;
        return Math.Log(1 + ((TotalChunks - df + 0.5) / (df + 0.5)));
    }
}

/// <summary>Implemented by stores that can report term statistics cheaply (the SQLite store reads FTS5's vocabulary).</summary>
public interface ITermStatisticsSource
{
    Task<TermStatistics> GetTermStatisticsAsync(IReadOnlyCollection<string> terms, CancellationToken cancellationToken = default);
}
