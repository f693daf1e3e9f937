using PolicyChat.Core.Storage.Lexical;
using static PolicyChat.Core.Tests.Storage.Lexical.Bm25TestKit;

namespace PolicyChat.Core.Tests.Storage.Lexical;

/// <summary>Scoring, ranking, limits and filters of <see cref="Bm25Index"/> against a reference BM25.</summary>
public sealed class Bm25IndexSearchTests
{
    private const double Tolerance = 1e-4;

    // Document lengths 1..6, term frequencies 1..4, document frequencies 1..5.
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

    private static readonly string[][] s_queries =
    [
        ["ai"],
        ["ai", "data"],
        ["policy"],
        ["cloud", "law", "governance"],
        ["ai", "data", "policy", "cloud", "privacy", "center", "ethics"],
        ["law", "protection"],
    ];

    public static TheoryData<double, double> ParameterSets => new()
    {
        { 1.2, 0.75 },
        { 2.0, 0.3 },
        { 0.9, 0.0 },
        { 0.5, 1.0 },
    };

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Search_HandBuiltCollection_ScoresEqualReferenceBm25(double k1, double b)
    {
        var parameters = new Bm25Parameters { K1 = k1, B = b };
        using var index = Build(s_collection, parameters);
        var reference = Reference(s_collection, parameters);

        foreach (var query in s_queries)
        {
            var hits = Search(index, query);
            var expected = reference.Scores(query);

            Assert.Equal(expected.Keys.Order(), hits.Select(h => h.Doc).Order());
            foreach (var (doc, score) in hits)
            {
                Assert.Equal(expected[doc], score, Tolerance);
            }
            AssertRanked(hits);
        }
    }

    [Fact]
    public void Search_ShortTermsDifferingInLengthOrNul_AreDistinctTerms()
    {
        // Terms of up to four characters are keyed by value; a NUL, one more character or a five-character term must not alias.
        (int Doc, string[] Terms)[] docs =
        [
            (0, ["a", "a", "ab"]),
            (1, ["a\0", "ab\0\0", "abcd"]),
            (2, ["abcd", "abcde", "\u2581قان"]),
            (3, ["قانو", "\u2581قان", "\uD83D\uDE00"]),
            (4, ["abcde", "ab", "b"]),
        ];
        var parameters = new Bm25Parameters();
        using var index = Build(docs, parameters);
        var reference = Reference(docs, parameters);

        foreach (var term in docs.SelectMany(d => d.Terms).Append("abc").Append("\0").Distinct())
        {
            Assert.Equal(reference.DocumentFrequency(term), index.DocumentFrequency(term));
            var hits = Search(index, [term]);
            var expected = reference.Scores([term]);
            Assert.Equal(expected.Keys.Order(), hits.Select(h => h.Doc).Order());
            foreach (var (doc, score) in hits)
            {
                Assert.Equal(expected[doc], score, Tolerance);
            }
        }
    }

    [Fact]
    public void Search_AfterWriterDisposedMidDocument_CountsOnlyEndedDocuments()
    {
        using var index = new Bm25Index();
        using (var writer = index.OpenWriter())
        {
            writer.BeginAdd(0);
            writer.Add("ab");
            writer.Add("ab");
            writer.Add("policy");
        }
        (int Doc, string[] Terms)[] docs = [(0, ["ab", "law"]), (1, ["policy", "cd"])];
        foreach (var (doc, terms) in docs)
        {
            Add(index, doc, terms);
        }
        var reference = Reference(docs, new Bm25Parameters());

        foreach (var term in new[] { "ab", "policy" })
        {
            var hits = Search(index, [term]);
            var expected = reference.Scores([term]);
            Assert.Equal(expected.Keys.Order(), hits.Select(h => h.Doc).Order());
            Assert.Equal(expected.Values.Single(), hits.Single().Score, Tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(ParameterSets))]
    public void Search_HandBuiltCollection_RanksAsReference(double k1, double b)
    {
        var parameters = new Bm25Parameters { K1 = k1, B = b };
        using var index = Build(s_collection, parameters);
        var reference = Reference(s_collection, parameters);

        foreach (var query in s_queries)
        {
            // Same ranking; documents whose reference scores tie (within float rounding) may come in either order.
            var expected = reference.Top(query, 100);
            var actual = Search(index, query);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Score, actual[i].Score, Tolerance);
                Assert.True(expected[i].Doc == actual[i].Doc || Math.Abs(expected[i].Score - reference.Scores(query)[actual[i].Doc]) < Tolerance,
                    $"position {i}: expected doc {expected[i].Doc}, got {actual[i].Doc}");
            }
        }
    }

    [Fact]
    public void Search_HigherTermFrequencyAndShorterDocument_RankFirst()
    {
        using var index = Build(
        [
            (0, ["tax", "filler", "filler", "filler"]),
            (1, ["tax", "tax", "tax", "filler"]), // same length as 0, more occurrences
            (2, ["tax"]), // one occurrence, shortest
            (3, ["other"]),
        ]);

        Assert.Equal([1, 2, 0], Search(index, ["tax"]).Select(h => h.Doc));
    }

    [Fact]
    public void Search_RareTermOutweighsCommonTerm()
    {
        using var index = Build(Enumerable.Range(0, 10).Select(d => (d, d == 9 ? new[] { "rare", "x" } : ["common", "x"])));

        var hits = Search(index, ["common", "rare"]);

        Assert.Equal(9, hits[0].Doc);
        Assert.True(hits[0].Score > 2 * hits[1].Score);
    }

    [Fact]
    public void Search_EqualScores_LowerDocumentIdFirst()
    {
        using var index = Build(
        [
            (3, ["alpha", "x"]),
            (8, ["alpha", "x"]),
            (9, ["alpha", "x"]),
            (12, ["alpha"]), // shorter: best, and arrives after the tied ones
            (15, ["alpha", "x"]),
            (20, ["beta", "x"]),
        ]);

        var all = Search(index, ["alpha"]);
        var top3 = Search(index, ["alpha"], limit: 3);

        Assert.Equal([12, 3, 8, 9, 15], all.Select(h => h.Doc));
        Assert.Equal(all[1].Score, all[4].Score);
        Assert.Equal([12, 3, 8], top3.Select(h => h.Doc));
    }

    [Fact]
    public void Search_Limit_ReturnsPrefixOfFullRanking()
    {
        using var index = Build(s_collection);
        string[] query = ["ai", "data", "policy", "cloud", "privacy", "center", "ethics", "law"];
        var full = Search(index, query);

        Assert.Equal(s_collection.Length, full.Count);
        for (var limit = 1; limit <= full.Count + 2; limit++)
        {
            Assert.Equal(full.Take(limit), Search(index, query, limit));
        }
        Assert.Empty(Search(index, query, limit: 0));
        Assert.Empty(Search(index, query, limit: -5));
    }

    [Fact]
    public void Search_LimitFarAboveMatches_ReturnsAllMatches()
    {
        using var index = Build(s_collection);

        var hits = Search(index, ["ai"], limit: int.MaxValue);

        Assert.Equal(Reference(s_collection, new()).Top(["ai"], 100).Select(h => h.Doc), hits.Select(h => h.Doc));
    }

    [Fact]
    public void Search_AllowedFilter_RestrictsDocumentsWithoutChangingScores()
    {
        using var index = Build(s_collection);
        string[] query = ["ai", "data", "cloud"];
        var full = Search(index, query);
        var asked = new HashSet<int>();

        var filtered = Search(index, query, allowed: d =>
        {
            asked.Add(d);
            return d % 2 == 1;
        });

        Assert.Equal(full.Where(h => h.Doc % 2 == 1), filtered);
        Assert.NotEmpty(filtered);
        Assert.Contains(0, asked); // the filter was consulted for the documents it rejected
        Assert.Empty(Search(index, query, allowed: _ => false));
    }

    [Fact]
    public void Search_AllowedFilterWithLimit_TakesBestAllowed()
    {
        using var index = Build(s_collection);
        string[] query = ["ai", "data", "cloud"];

        var hits = Search(index, query, limit: 2, allowed: d => d >= 3);

        Assert.Equal(Search(index, query).Where(h => h.Doc >= 3).Take(2), hits);
    }

    [Fact]
    public void Search_UnknownTerms_AreIgnored()
    {
        using var index = Build(s_collection);

        Assert.Equal(Search(index, ["ai"]), Search(index, ["nowhere", "ai", "absent"]));
        Assert.Empty(Search(index, ["nowhere", "absent"]));
        Assert.Equal(0, index.DocumentFrequency("nowhere"));
    }

    [Fact]
    public void Search_NullTermsIgnored_DuplicatesCountOnceWhenK3IsZero()
    {
        using var index = Build(s_collection, new Bm25Parameters { K3 = 0 });

        Assert.Equal(Search(index, ["ai", "data"]), Search(index, ["ai", null!, "data", "ai", "data"]));
    }

    [Fact]
    public void Search_NoTerms_ReturnsEmpty()
    {
        using var index = Build(s_collection);

        Assert.Empty(Search(index, []));
    }

    [Fact]
    public void Search_EmptyIndex_ReturnsEmpty()
    {
        using var index = new Bm25Index();

        Assert.Empty(Search(index, ["ai"]));
        Assert.Equal(0, index.DocumentCount);
        Assert.Equal(0, index.DocumentFrequency("ai"));
        Assert.Equal((0, 0L, 0L), index.Size);
    }

    [Fact]
    public void Search_DocumentWithoutTerms_CountsTowardsAverageLength()
    {
        var docs = s_collection.Append((9, Array.Empty<string>())).ToArray();
        using var index = Build(docs);
        var reference = Reference(docs, new());

        Assert.Equal(docs.Length, index.DocumentCount);
        foreach (var (doc, score) in Search(index, ["ai", "data"]))
        {
            Assert.Equal(reference.Scores(["ai", "data"])[doc], score, Tolerance);
        }
    }

    [Fact]
    public void Add_EmptyTerms_AreNotCounted()
    {
        using var withEmpty = new Bm25Index();
        using (var writer = withEmpty.OpenWriter())
        {
            AddTo(writer, 0, ["ai", "", "policy", ""]);
            AddTo(writer, 1, ["", "data"]);
        }
        using var without = Build([(0, ["ai", "policy"]), (1, ["data"])]);

        Assert.Equal(Search(without, ["ai", "data"]), Search(withEmpty, ["ai", "data"]));
        Assert.Equal(0, withEmpty.DocumentFrequency(""));
    }

    [Fact]
    public void DocumentFrequency_CountsDocumentsNotOccurrences()
    {
        using var index = Build(s_collection);
        var reference = Reference(s_collection, new());

        foreach (var term in s_collection.SelectMany(d => d.Terms).Distinct())
        {
            Assert.Equal(reference.DocumentFrequency(term), index.DocumentFrequency(term));
        }
        Assert.Equal(3, index.DocumentFrequency("data")); // docs 1, 3, 5; doc 1 holds it three times
        Assert.Equal(s_collection.Length, index.DocumentCount);
    }

    [Fact]
    public void Add_DocumentIdNotAfterLast_ThrowsAndLeavesIndexUnchanged()
    {
        using var index = Build([(5, ["ai", "policy"]), (9, ["ai"])]);
        var before = Search(index, ["ai", "policy"]);

        using (var writer = index.OpenWriter())
        {
            writer.BeginAdd(9);
            writer.Add("ai");
            var same = Assert.Throws<InvalidOperationException>(writer.End);
            Assert.Contains("9", same.Message, StringComparison.Ordinal);
        }
        using (var writer = index.OpenWriter())
        {
            writer.BeginAdd(7);
            writer.Add("policy");
            Assert.Throws<InvalidOperationException>(writer.End);
        }

        Assert.Equal(2, index.DocumentCount);
        Assert.Equal(1, index.DocumentFrequency("policy"));
        Assert.Equal(before, Search(index, ["ai", "policy"]));
        Add(index, 10, ["policy"]); // the next larger id is still accepted
        Assert.Equal(2, index.DocumentFrequency("policy"));
    }

    [Fact]
    public void Writer_MisusedSequence_Throws()
    {
        using var index = new Bm25Index();
        using var writer = index.OpenWriter();

        Assert.Throws<InvalidOperationException>(() => writer.Add("ai"));
        Assert.Throws<InvalidOperationException>(writer.End);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.BeginAdd(-1));
        writer.BeginAdd(0);
        Assert.Throws<InvalidOperationException>(() => writer.BeginAdd(1));
    }

    [Fact]
    public void Postings_VarintBoundaries_RoundTrip()
    {
        // Gaps and term frequencies on each side of the varint limits: 127/128, 16383/16384, and a gap of 2^21 (four bytes).
        (int Doc, int Tf)[] postings =
        [
            (0, 1), (1, 127), (129, 128), (16_512, 16_383), (32_896, 16_384), (32_897, 300), (2_130_049, 2), (2_130_050, 1),
        ];
        var docs = postings
            .Select(p => (p.Doc, Enumerable.Repeat("x", p.Tf).Append(p.Doc % 2 == 0 ? "even" : "odd").ToArray()))
            .ToArray();
        using var index = Build(docs);
        var reference = Reference(docs, new());

        foreach (var query in new[] { new[] { "x" }, ["odd"], ["even", "x"] })
        {
            var hits = Search(index, query);
            var expected = reference.Scores(query);
            Assert.Equal(expected.Keys.Order(), hits.Select(h => h.Doc).Order());
            foreach (var (doc, score) in hits)
            {
                Assert.Equal(expected[doc], score, Tolerance);
            }
        }
        Assert.Equal(postings.Length, index.DocumentFrequency("x"));

        // After trimming, the bytes are exactly the varint encodings of the (gap, tf) pairs.
        using (var writer = index.OpenWriter())
        {
            writer.TrimExcess();
        }
        long expectedBytes = 0;
        foreach (var term in new[] { "x", "even", "odd" })
        {
            var previous = -1;
            foreach (var (doc, terms) in docs.Where(d => d.Item2.Contains(term)))
            {
                expectedBytes += VarintLength(doc - previous) + VarintLength(terms.Count(t => t == term));
                previous = doc;
            }
        }
        Assert.Equal((3, 2L * postings.Length, expectedBytes), index.Size);
    }

    [Fact]
    public void Search_TinyPostingBudget_UsesOnlyRarestTerms()
    {
        // "rare" is in doc 0 only; "common" in every other doc. The budget covers one posting.
        using var index = Build(Enumerable.Range(0, 10).Select(d => (d, d == 0 ? new[] { "rare", "pad" } : ["common", "common", "pad"])));
        string[] query = ["common", "rare"];

        var full = index.Search(query, 20, QueryBudget.Default);
        var rarest = index.Search(query, 20, new QueryBudget(PostingBudget: 1, MaxTerms: 64, MinTerms: 1));
        var rareOnly = index.Search(["rare"], 20, QueryBudget.Default);

        Assert.Equal(10, full.Count);
        Assert.Equal(rareOnly, rarest);
        Assert.Equal([0], rarest.Select(h => h.Doc));
    }

    [Fact]
    public void Search_PostingBudget_ChangesWinner()
    {
        // "rare" is in docs 0 and 1; doc 1 also has the two medium terms many times. With every term doc 1 wins;
        // with the budget spent on the rarest term only, the shorter doc 0 wins.
        var docs = new List<(int, string[])>
        {
            (0, ["rare", "pad", "pad"]),
            (1, ["mid1", "mid1", "mid1", "mid1", "mid2", "mid2", "mid2", "mid2", "rare"]),
            (2, ["mid1", "mid2", "pad"]),
            (3, ["mid1", "mid2", "pad"]),
            (4, ["pad", "pad", "pad"]),
            (5, ["pad", "pad", "pad"]),
        };
        using var index = Build(docs);
        string[] query = ["mid1", "mid2", "rare"];

        var full = index.Search(query, 10, QueryBudget.Default);
        var budgeted = index.Search(query, 10, new QueryBudget(PostingBudget: 2, MaxTerms: 64, MinTerms: 1));

        Assert.Equal(1, full[0].Doc);
        Assert.Equal(0, budgeted[0].Doc);
        Assert.Equal(index.Search(["rare"], 10, QueryBudget.Default), budgeted);
        Assert.Equal(2, index.DocumentFrequency("rare"));
    }

    [Fact]
    public void Search_MinTerms_KeptEvenOverBudget()
    {
        using var index = Build(Enumerable.Range(0, 10).Select(d => (d, d == 0 ? new[] { "rare", "pad" } : ["common", "pad"])));
        string[] query = ["common", "rare"];

        var two = index.Search(query, 20, new QueryBudget(PostingBudget: 1, MaxTerms: 64, MinTerms: 2));
        var one = index.Search(query, 20, new QueryBudget(PostingBudget: 1, MaxTerms: 64, MinTerms: 1));

        Assert.Equal(index.Search(query, 20, QueryBudget.Default), two);
        Assert.Single(one);
    }

    [Fact]
    public void Search_MaxTerms_KeepsRarestRegardlessOfQueryOrder()
    {
        using var index = Build(
        [
            (0, ["a", "b", "c"]),
            (1, ["b", "c"]),
            (2, ["c"]),
            (3, ["c", "b"]),
            (4, ["pad"]),
        ]);
        var budget = new QueryBudget(PostingBudget: 1_000_000, MaxTerms: 2, MinTerms: 1);

        var hits = index.Search(["c", "b", "a"], 10, budget); // df: a 1, b 3, c 4

        Assert.Equal(index.Search(["a", "b"], 10, QueryBudget.Default), hits);
        Assert.DoesNotContain(hits, h => h.Doc == 2);
    }

    private static ReferenceBm25 Reference(IEnumerable<(int Doc, string[] Terms)> docs, Bm25Parameters parameters)
    {
        var reference = new ReferenceBm25(parameters);
        foreach (var (doc, terms) in docs)
        {
            reference.Add(doc, terms);
        }
        return reference;
    }

    private static int VarintLength(int value) => value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : 4;
}
