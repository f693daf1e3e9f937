using PolicyChat.Core.Storage.Lexical;

namespace PolicyChat.Core.Tests.Storage.Lexical;

/// <summary>Builds <see cref="Bm25Index"/> instances document by document, as the store does.</summary>
internal static class Bm25TestKit
{
    public static Bm25Index Build(IEnumerable<(int Doc, string[] Terms)> docs, Bm25Parameters? parameters = null)
    {
        var index = new Bm25Index(parameters);
        using var writer = index.OpenWriter();
        foreach (var (doc, terms) in docs)
        {
            AddTo(writer, doc, terms);
        }
        return index;
    }

    public static void Add(Bm25Index index, int doc, IEnumerable<string> terms)
    {
        using var writer = index.OpenWriter();
        AddTo(writer, doc, terms);
    }

    public static void Remove(Bm25Index index, int doc, IEnumerable<string> terms)
    {
        using var writer = index.OpenWriter();
        RemoveFrom(writer, doc, terms);
    }

    public static void AddTo(Bm25Index.Writer writer, int doc, IEnumerable<string> terms)
    {
        writer.BeginAdd(doc);
        foreach (var term in terms)
        {
            writer.Add(term);
        }
        writer.End();
    }

    public static void RemoveFrom(Bm25Index.Writer writer, int doc, IEnumerable<string> terms)
    {
        writer.BeginRemove(doc);
        foreach (var term in terms)
        {
            writer.Add(term);
        }
        writer.End();
    }

    public static List<(int Doc, double Score)> Search(Bm25Index index, IReadOnlyList<string> terms, int limit = 1000,
        Func<int, bool>? allowed = null) => index.Search(terms, limit, QueryBudget.Default, allowed);

    /// <summary>Hits are ordered best first, ties by lower document id, with no document twice.</summary>
    public static void AssertRanked(IReadOnlyList<(int Doc, double Score)> hits)
    {
        Assert.Equal(hits.Count, hits.Select(h => h.Doc).Distinct().Count());
        for (var i = 1; i < hits.Count; i++)
        {
            var (previous, current) = (hits[i - 1], hits[i]);
            Assert.True(previous.Score > current.Score || (previous.Score == current.Score && previous.Doc < current.Doc),
                $"hit {i - 1} ({previous.Doc}, {previous.Score}) should rank before hit {i} ({current.Doc}, {current.Score})");
        }
    }
}

/// <summary>
/// BM25 computed directly from its definition, in double precision, over documents held as term lists:
/// idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf part = tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)), each distinct
/// query term weighted by (k3 + 1) qtf / (k3 + qtf).
/// </summary>
internal sealed class ReferenceBm25(double k1, double b, double k3 = 1.0)
{
    private readonly SortedDictionary<int, string[]> _docs = [];

    public ReferenceBm25(Bm25Parameters parameters)
        : this(parameters.K1, parameters.B, parameters.K3)
    {
    }

    public int Count => _docs.Count;

    public void Add(int doc, string[] terms) => _docs.Add(doc, terms);

    public void Remove(int doc) => _docs.Remove(doc);

    public int DocumentFrequency(string term) => _docs.Values.Count(t => t.Contains(term, StringComparer.Ordinal));

    public Dictionary<int, double> Scores(IEnumerable<string> query)
    {
        var result = new Dictionary<int, double>();
        var n = _docs.Count;
        if (n == 0)
        {
            return result;
        }
        var averageLength = _docs.Values.Average(t => (double)t.Length);
        foreach (var group in query.Where(t => t is not null).GroupBy(t => t, StringComparer.Ordinal))
        {
            var term = group.Key;
            var qtf = group.Count();
            var df = DocumentFrequency(term);
            if (df == 0)
            {
                continue;
            }
            var idf = Math.Log(1 + ((n - df + 0.5) / (df + 0.5))) * (k3 + 1) * qtf / (k3 + qtf);
            foreach (var (doc, terms) in _docs)
            {
                var tf = terms.Count(t => t == term);
                if (tf == 0)
                {
                    continue;
                }
                var score = idf * tf * (k1 + 1) / (tf + (k1 * (1 - b + (b * terms.Length / averageLength))));
                result[doc] = result.GetValueOrDefault(doc) + score;
            }
        }
        return result;
    }

    public List<(int Doc, double Score)> Top(IEnumerable<string> query, int limit) =>
        Scores(query).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(limit).Select(kv => (kv.Key, kv.Value)).ToList();
}
