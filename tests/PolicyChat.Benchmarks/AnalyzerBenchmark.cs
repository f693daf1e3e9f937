using System.Diagnostics;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>Analyzer throughput on XQuAD-like paragraphs: Terms and CharNGrams per 1,000 characters.</summary>
internal sealed class AnalyzerBenchmark : IBenchmark
{
    public string Name => "analyzer";

    public string Description => "µs per 1,000 characters for Terms() and CharNGrams() on Arabic/English text";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var corpus = SyntheticCorpus.Load();
        var texts = Enumerable.Range(0, 2000).Select(_ => corpus.Paragraph(1000)).ToList();
        var analyzer = TextAnalyzer.Default;
        foreach (var t in texts.Take(200))
        {
            analyzer.Terms(t);
            analyzer.CharNGrams(t);
        }
        var chars = texts.Sum(t => t.Length);
        var terms = Stopwatch.StartNew();
        foreach (var t in texts)
        {
            analyzer.Terms(t);
        }
        terms.Stop();
        var grams = Stopwatch.StartNew();
        foreach (var t in texts)
        {
            analyzer.CharNGrams(t);
        }
        grams.Stop();
        Console.WriteLine($"analyzer: Terms {terms.Elapsed.TotalMicroseconds * 1000 / chars:0.0} µs/1k chars, CharNGrams {grams.Elapsed.TotalMicroseconds * 1000 / chars:0.0} µs/1k chars");
        return Task.FromResult(0);
    }
}
