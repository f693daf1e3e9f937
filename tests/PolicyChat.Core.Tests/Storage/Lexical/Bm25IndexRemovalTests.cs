using PolicyChat.Core.Storage.Lexical;
using static PolicyChat.Core.Tests.Storage.Lexical.Bm25TestKit;

namespace PolicyChat.Core.Tests.Storage.Lexical;

/// <summary>Removal (statistics at once, postings at compaction) of <see cref="Bm25Index"/>.</summary>
public sealed class Bm25IndexRemovalTests
{
    private const double Tolerance = 1e-4;

    private static readonly (int Doc, string[] Terms)[] s_collection =
    [
        (0, ["ai", "policy", "ai", "governance"]),
        (1, ["data", "protection", "law", "data", "data"]),
        (2, ["ai", "ethics"]),
        (3, ["cloud", "data", "center"]),
        (4, ["governance", "framework", "ai", "policy", "policy"]),
        (5, ["privacy", "data", "ai"]),
        (6, ["law"]),
        (7, ["cloud", "cloud", "cloud", "cloud", "ai", "center"]),
    ];

    [Fact]
    public void Remove_Document_UpdatesStatisticsAtOnce()
    {
        using var index = Build(s_collection);
        var reference = Reference(s_collection);
        var postingsBefore = index.Size.Postings;

        Remove(index, 1, s_collection[1].Terms);
        reference.Remove(1);

        Assert.Equal(7, index.DocumentCount);
        Assert.Equal(2, index.DocumentFrequency("data")); // docs 3 and 5 remain
        Assert.Equal(0, index.DocumentFrequency("protection"));
        Assert.Equal(1, index.DocumentFrequency("law"));
        Assert.Equal(postingsBefore, index.Size.Postings); // stale postings stay until a compaction is worth it
        foreach (var query in new[] { new[] { "data" }, ["ai", "law"], ["cloud", "policy", "privacy"] })
        {
            // idf (N, df) and the average length changed for every document, not only for those of doc 1's terms.
            var expected = reference.Scores(query);
            var hits = Search(index, query);
            Assert.Equal(expected.Keys.Order(), hits.Select(h => h.Doc).Order());
            foreach (var (doc, score) in hits)
            {
                Assert.Equal(expected[doc], score, Tolerance);
            }
        }
    }

    [Fact]
    public void Remove_Document_NeverReturnedAgain()
    {
        using var index = Build(s_collection);

        Remove(index, 1, s_collection[1].Terms);
        Remove(index, 6, s_collection[6].Terms);

        Assert.Empty(Search(index, ["protection"]));
        Assert.Empty(Search(index, ["law"]));
        Assert.DoesNotContain(Search(index, ["data", "ai", "cloud"], allowed: _ => true), h => h.Doc is 1 or 6);
        Assert.Equal([3, 5], Search(index, ["data"]).Select(h => h.Doc).Order());
    }

    [Fact]
    public void Remove_UnknownOrAlreadyRemovedDocument_IsNoOp()
    {
        using var index = Build(s_collection.Where(d => d.Doc != 6));
        Remove(index, 2, s_collection[2].Terms);
        string[] query = ["ai", "data", "law", "cloud"];
        var before = Search(index, query);
        var size = index.Size;

        Remove(index, 2, s_collection[2].Terms); // already removed
        Remove(index, 6, ["law"]); // inside the id range, never added
        Remove(index, 1_000_000, ["ai"]); // beyond any id
        using (var writer = index.OpenWriter())
        {
            RemoveFrom(writer, 999, ["brand-new-term"]);
        }

        Assert.Equal(6, index.DocumentCount);
        Assert.Equal(before, Search(index, query));
        Assert.Equal(size, index.Size); // a removal creates no terms
        Assert.Equal(4, index.DocumentFrequency("ai"));
    }

    [Fact]
    public void Remove_LastDocument_LeavesEmptyIndexThatAcceptsNewDocuments()
    {
        using var index = Build([(0, ["ai"]), (1, ["ai", "law"])]);

        Remove(index, 0, ["ai"]);
        Remove(index, 1, ["ai", "law"]);

        Assert.Equal(0, index.DocumentCount);
        Assert.Empty(Search(index, ["ai", "law"]));
        Add(index, 2, ["law"]);
        Assert.Equal([2], Search(index, ["ai", "law"]).Select(h => h.Doc));
    }

    [Fact]
    public void Remove_SixtyPercentInOneWrite_CompactsToFreshIndex()
    {
        var collection = RandomCollection(seed: 17, count: 3000);
        using var index = Build(collection);
        var before = index.Size;
        var random = new Random(23);
        var removed = collection.Where(_ => random.NextDouble() < 0.6).ToList();
        var survivors = collection.Except(removed).ToList();

        using (var writer = index.OpenWriter())
        {
            foreach (var (doc, terms) in removed)
            {
                RemoveFrom(writer, doc, terms);
            }
        }
        using var fresh = Build(survivors);

        Assert.True(removed.Count * 10 > collection.Count * 5, $"removed {removed.Count} of {collection.Count}");
        Assert.Equal(fresh.Size.Postings, index.Size.Postings); // every stale posting is gone
        Assert.True(index.Size.PostingBytes < before.PostingBytes);
        AssertSameResults(fresh, index, collection, seed: 5);
    }

    [Fact]
    public void Remove_ManyBatches_CompactsAndMatchesFreshIndexAfterMoreWrites()
    {
        var collection = RandomCollection(seed: 41, count: 3000);
        using var index = Build(collection);
        var initialPostings = index.Size.Postings;
        var random = new Random(43);
        var live = collection.ToList();
        var order = collection.OrderBy(_ => random.Next()).Take(collection.Count * 6 / 10).ToList();

        foreach (var batch in order.Chunk(150))
        {
            using (var writer = index.OpenWriter())
            {
                foreach (var (doc, terms) in batch)
                {
                    RemoveFrom(writer, doc, terms);
                    live.Remove((doc, terms));
                }
            }
            using var snapshot = Build(live);
            var stale = index.Size.Postings - snapshot.Size.Postings;
            // After each write the index holds less than the compaction threshold of stale postings.
            Assert.True(stale < 4096 || stale * 4 < index.Size.Postings, $"{stale} stale of {index.Size.Postings}");
        }
        Assert.True(index.Size.Postings < initialPostings * 0.6, "at least one compaction ran");

        // Writes after compaction append to the rewritten posting lists.
        var more = RandomCollection(seed: 59, count: 300, firstDoc: collection[^1].Doc + 1);
        using (var writer = index.OpenWriter())
        {
            foreach (var (doc, terms) in more)
            {
                AddTo(writer, doc, terms);
            }
            foreach (var (doc, terms) in live.Take(40))
            {
                RemoveFrom(writer, doc, terms);
            }
        }
        live = live.Skip(40).Concat(more).ToList();
        using var fresh = Build(live);

        Assert.Equal(live.Count, index.DocumentCount);
        AssertSameResults(fresh, index, collection.Concat(more).ToList(), seed: 7);
    }

    /// <summary>Same counts, document frequencies and top-10 (ids and scores) for random queries.</summary>
    private static void AssertSameResults(Bm25Index expected, Bm25Index actual, IReadOnlyList<(int Doc, string[] Terms)> vocabularySource, int seed)
    {
        Assert.Equal(expected.DocumentCount, actual.DocumentCount);
        var vocabulary = vocabularySource.SelectMany(d => d.Terms).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (var term in vocabulary)
        {
            Assert.Equal(expected.DocumentFrequency(term), actual.DocumentFrequency(term));
        }
        var random = new Random(seed);
        var nonEmpty = 0;
        for (var q = 0; q < 60; q++)
        {
            var query = Enumerable.Range(0, random.Next(1, 6)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray();
            var want = Search(expected, query, limit: 10);
            var got = Search(actual, query, limit: 10);
            Assert.Equal(want.Select(h => h.Doc), got.Select(h => h.Doc));
            for (var i = 0; i < want.Count; i++)
            {
                Assert.Equal(want[i].Score, got[i].Score, Tolerance);
            }
            nonEmpty += want.Count > 0 ? 1 : 0;
        }
        Assert.True(nonEmpty > 40, $"only {nonEmpty} queries had hits");
    }

    /// <summary>Documents of 5 to 40 terms drawn with a skewed (Zipf-like) distribution; ids grow with random gaps.</summary>
    private static List<(int Doc, string[] Terms)> RandomCollection(int seed, int count, int firstDoc = 0)
    {
        var random = new Random(seed);
        var docs = new List<(int, string[])>(count);
        var doc = firstDoc;
        for (var i = 0; i < count; i++)
        {
            var length = random.Next(5, 41);
            var terms = new string[length];
            for (var t = 0; t < length; t++)
            {
                var r = random.NextDouble();
                terms[t] = "t" + (int)(600 * r * r * r);
            }
            docs.Add((doc, terms));
            doc += random.Next(1, 4);
        }
        return docs;
    }

    private static ReferenceBm25 Reference(IEnumerable<(int Doc, string[] Terms)> docs)
    {
        var reference = new ReferenceBm25(new Bm25Parameters());
        foreach (var (doc, terms) in docs)
        {
            reference.Add(doc, terms);
        }
        return reference;
    }
}
