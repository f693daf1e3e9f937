using System.Text.Json;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Writes the analyzer's terms and n-grams for a SQuAD file's passages and questions as JSON lines, so ranking
/// functions can be explored offline. Args: squad.json output.jsonl
/// </summary>
internal sealed class AnalysisDump : IBenchmark
{
    public string Name => "analysis-dump";

    public string Description => "analyzed terms/n-grams of a SQuAD file as JSON lines (for offline ranking experiments)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var data = SquadDataset.Load(args[0]);
        var analyzer = TextAnalyzer.Default;
        await using var output = new StreamWriter(args[1]);
        foreach (var p in data.Passages)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { kind = "p", id = p.Index, title = analyzer.Terms(p.Title), terms = analyzer.Terms(p.Context), grams = analyzer.CharNGrams(p.Context), norm = Norm(analyzer, p.Context) }));
        }
        foreach (var q in data.Questions)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { kind = "q", id = q.PassageIndex, terms = analyzer.Terms(q.Text), grams = analyzer.CharNGrams(q.Text), norm = Norm(analyzer, q.Text) }));
        }
        return 0;
    }

    private static List<string> Norm(TextAnalyzer analyzer, string text) =>
        analyzer.Tokenize(text).Where(t => !t.IsStopWord).Select(t => analyzer.Normalize(text.Substring(t.Start, t.Length))).ToList();
}
