using System.CommandLine;
using System.Text.Json;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create() => new("eval", "Evaluate retrieval and answers.")
    {
        Squad(),
    };

    private static string Snippet(string? text) => text is null ? "" : (text.Length > 140 ? text[..140] + "…" : text).ReplaceLineEndings(" ");

    private static Command Squad()
    {
        var documents = new Argument<string>("documents") { Description = "SQuAD v1.1 JSON whose paragraphs become the documents." };
        var questions = new Option<string?>("--questions") { Description = "A parallel SQuAD file whose questions are asked instead (cross-lingual runs)." };
        var json = CommonOptions.Json();
        var wordWeight = new Option<double?>("--word-weight") { Description = "Override Retrieval:WordWeight." };
        var ngramWeight = new Option<double?>("--ngram-weight") { Description = "Override Retrieval:NGramWeight." };
        var rrfK = new Option<int?>("--rrf-k") { Description = "Override Retrieval:RrfK." };
        var sentenceWeight = new Option<double?>("--sentence-weight") { Description = "Override Retrieval:SentenceWeight." };
        var misses = new Option<int>("--show-misses") { Description = "Print up to N questions whose passage was not ranked first (to stderr)." };
        var command = new Command("squad", "Recall@1/5/10, MRR@10 and latency of passage retrieval on a SQuAD-format file (temporary index).")
        {
            documents, questions, json, wordWeight, ngramWeight, rrfK, sentenceWeight, misses,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataset = SquadDataset.Load(parse.GetValue(documents)!);
            if (parse.GetValue(questions) is { } questionsPath)
            {
                dataset = dataset.WithQuestionsFrom(SquadDataset.Load(questionsPath));
            }
            var folder = Path.Combine(Path.GetTempPath(), "policychat-eval-" + Guid.NewGuid().ToString("N"));
            try
            {
                var dbPath = Path.Combine(folder, "eval.db");
                await using var services = CliServices.Create(dbPath);
                var defaults = new RetrievalOptions();
                var options = defaults with
                {
                    WordWeight = parse.GetValue(wordWeight) ?? defaults.WordWeight,
                    NGramWeight = parse.GetValue(ngramWeight) ?? defaults.NGramWeight,
                    RrfK = parse.GetValue(rrfK) ?? defaults.RrfK,
                    SentenceWeight = parse.GetValue(sentenceWeight) ?? defaults.SentenceWeight,
                };
                var retriever = new HybridRetriever(services.Store, services.Analyzer, options);
                var evaluator = new SquadEvaluator(services.Store, services.Indexer, retriever);
                var metrics = await evaluator.RunAsync(dataset, cancellationToken: cancellationToken);
                foreach (var (question, rank, top) in evaluator.Misses.Take(parse.GetValue(misses)))
                {
                    var gold = dataset.Passages[question.PassageIndex];
                    var first = top is null ? null : dataset.Passages[int.Parse(top[1..], System.Globalization.CultureInfo.InvariantCulture)];
                    await Console.Error.WriteLineAsync($"Q: {question.Text}\n  rank {rank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} gold [{gold.Title}] {Snippet(gold.Context)}\n  top  [{first?.Title}] {Snippet(first?.Context)}");
                }
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(CliJson.ToJson(metrics), CliJsonContext.Readable.SquadJson));
                }
                else
                {
                    Console.WriteLine($"questions     {metrics.Questions}");
                    Console.WriteLine($"recall@1      {metrics.RecallAt1:0.000}");
                    Console.WriteLine($"recall@5      {metrics.RecallAt5:0.000}");
                    Console.WriteLine($"recall@10     {metrics.RecallAt10:0.000}");
                    Console.WriteLine($"MRR@10        {metrics.MrrAt10:0.000}");
                    Console.WriteLine($"latency p50   {metrics.P50Ms:0.00} ms");
                    Console.WriteLine($"latency p95   {metrics.P95Ms:0.00} ms");
                }
                return 0;
            }
            finally
            {
                SqliteIndexStore.ClearPools();
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        });
        return command;
    }
}
