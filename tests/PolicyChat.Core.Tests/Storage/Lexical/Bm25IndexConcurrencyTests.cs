using System.Diagnostics;
using PolicyChat.Core.Storage.Lexical;
using static PolicyChat.Core.Tests.Storage.Lexical.Bm25TestKit;

namespace PolicyChat.Core.Tests.Storage.Lexical;

public sealed class Bm25IndexConcurrencyTests
{
    private const int LiveDocuments = 500;
    private const int TermsPerDocument = 20;

    [Fact]
    public async Task Search_DuringWrites_SeesConsistentSnapshots()
    {
        // Every write removes the oldest document and adds a new one, so at any moment a search must see exactly
        // LiveDocuments documents, each holding "all" once in a document of the same length: equal scores.
        var random = new Random(3);
        var queue = new Queue<(int Doc, string[] Terms)>();
        var nextDoc = 0;
        long postingsAdded = 0;
        using var index = new Bm25Index();
        using (var writer = index.OpenWriter())
        {
            for (; nextDoc < LiveDocuments; nextDoc++)
            {
                var doc = (nextDoc, NewTerms(random));
                AddTo(writer, doc.nextDoc, doc.Item2);
                postingsAdded += doc.Item2.Distinct().Count();
                queue.Enqueue(doc);
            }
        }
        var expectedScore = Math.Log(1 + (0.5 / (LiveDocuments + 0.5))); // tf 1 at average length: the tf part is 1
        using var stop = new CancellationTokenSource();
        var searches = 0;
        var writes = 0;

        var writerTask = Task.Factory.StartNew(() =>
        {
            try
            {
                var clock = Stopwatch.StartNew();
                var writerRandom = new Random(5);
                while (clock.ElapsedMilliseconds < 1000)
                {
                    using var writer = index.OpenWriter();
                    var (oldDoc, oldTerms) = queue.Dequeue();
                    RemoveFrom(writer, oldDoc, oldTerms);
                    var terms = NewTerms(writerRandom);
                    AddTo(writer, nextDoc, terms);
                    postingsAdded += terms.Distinct().Count();
                    queue.Enqueue((nextDoc++, terms));
                    writes++;
                }
            }
            finally
            {
                stop.Cancel(); // readers stop even when the writer fails
            }
        }, TaskCreationOptions.LongRunning);

        var readers = Enumerable.Range(0, 3).Select(seed => Task.Factory.StartNew(() =>
        {
            var readerRandom = new Random(100 + seed);
            while (!stop.IsCancellationRequested)
            {
                var hits = index.Search(["all"], 2 * LiveDocuments, QueryBudget.Default);
                Assert.Equal(LiveDocuments, hits.Count);
                Assert.All(hits, h => Assert.Equal(expectedScore, h.Score, 1e-7));
                AssertRanked(hits);
                Assert.Equal(LiveDocuments, index.DocumentCount);
                Assert.Equal(LiveDocuments, index.DocumentFrequency("all"));

                var mixed = index.Search(["all", "w" + readerRandom.Next(200), "w" + readerRandom.Next(200)], 10, QueryBudget.Default);
                Assert.Equal(10, mixed.Count);
                AssertRanked(mixed);
                Interlocked.Increment(ref searches);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll(readers.Append(writerTask));

        Assert.True(writes > 300, $"{writes} writes"); // enough stale postings for compactions
        Assert.True(searches > 10, $"{searches} searches");
        Assert.True(index.Size.Postings < postingsAdded, "compaction ran during the test");
    }

    private static string[] NewTerms(Random random)
    {
        var terms = new string[TermsPerDocument];
        terms[0] = "all";
        for (var i = 1; i < terms.Length; i++)
        {
            terms[i] = "w" + random.Next(200);
        }
        return terms;
    }
}
