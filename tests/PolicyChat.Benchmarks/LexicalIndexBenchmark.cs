using System.Diagnostics;
using PolicyChat.Core.Storage.Lexical;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// The in-memory BM25 indexes alone (no SQLite): build rate, memory and per-leg search latency over N synthetic
/// chunks of ~900 characters. Args: [chunks=100000] [queries=400].
/// </summary>
internal sealed class LexicalIndexBenchmark : IBenchmark
{
    public string Name => "lexical";

    public string Description => "in-memory BM25 word and n-gram indexes: build rate, memory, search p50 per leg";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var queryCount = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400;
        var corpus = SyntheticCorpus.Load();
        var analyzer = TextAnalyzer.Default;
        var texts = new IndexTerms[Math.Min(count, 20_000)];
        Parallel.For(0, texts.Length, i =>
        {
            string text;
            lock (corpus)
            {
                text = corpus.Paragraph(900);
            }
            texts[i] = analyzer.AnalyzeForIndex(text);
        });
        var expandClock = Stopwatch.StartNew();
        long expanded = 0;
        for (var doc = 0; doc < Math.Min(count, 10_000); doc++)
        {
            expanded += NGramSource.Expand(texts[doc % texts.Length].NGramSource).Count;
        }
        Console.WriteLine($"gram expansion alone: {expandClock.Elapsed.TotalMicroseconds / Math.Min(count, 10_000):0} µs/chunk ({expanded / Math.Min(count, 10_000)} grams)");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var words = new Bm25Index();
        using var grams = new Bm25Index();
        var clock = Stopwatch.StartNew();
        using (var w = words.OpenWriter())
        using (var g = grams.OpenWriter())
        {
            for (var doc = 0; doc < count; doc++)
            {
                var t = texts[doc % texts.Length];
                w.BeginAdd(doc);
                foreach (var term in t.Terms)
                {
                    w.Add(term);
                }
                w.End();
                g.BeginAdd(doc);
                foreach (var gram in NGramSource.Expand(t.NGramSource))
                {
                    g.Add(gram);
                }
                g.End();
            }
            w.TrimExcess();
            g.TrimExcess();
        }
        var build = clock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"built {count} chunks in {build.TotalSeconds:0.00} s ({count / build.TotalSeconds:0}/s, gram expansion included); managed memory +{Stats.Mb(after - before)}");
        Console.WriteLine($"  words: {words.Size}; n-grams: {grams.Size}");

        var queries = corpus.Questions.Where((_, i) => i % Math.Max(1, corpus.Questions.Count / queryCount) == 0).Take(queryCount)
            .Select(q => (Terms: analyzer.Terms(q.Text), Grams: analyzer.CharNGrams(q.Text))).ToList();
        foreach (var (name, budget) in new[] { ("budget 200k", QueryBudget.Default), ("budget 50k", QueryBudget.Default with { PostingBudget = 50_000 }) })
        {
            var wordTimes = new List<double>();
            var gramTimes = new List<double>();
            for (var round = 0; round < 2; round++)
            {
                wordTimes.Clear();
                gramTimes.Clear();
                foreach (var (terms, g) in queries)
                {
                    var c = Stopwatch.StartNew();
                    words.Search(terms, 50, budget);
                    wordTimes.Add(c.Elapsed.TotalMilliseconds);
                    c.Restart();
                    grams.Search(g, 50, budget);
                    gramTimes.Add(c.Elapsed.TotalMilliseconds);
                }
            }
            Console.WriteLine($"  {name}: words p50 {Stats.Median(wordTimes):0.000} ms p95 {Stats.Percentile(wordTimes, 0.95):0.000}; n-grams p50 {Stats.Median(gramTimes):0.000} ms p95 {Stats.Percentile(gramTimes, 0.95):0.000}");
        }
        return Task.FromResult(0);
    }
}
