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
        Answers(),
    };

    private static Command Answers()
    {
        var gold = new Argument<string>("gold") { Description = "Gold question set (JSON), e.g. corpus/gold/answers.json; its corpus folder is ingested into a temporary index." };
        var json = CommonOptions.Json();
        var extractive = new Option<bool>("--extractive") { Description = "Do not call a language model (Llm settings ignored)." };
        var negatives = CommonNegatives();
        var outcomes = new Option<string?>("--outcomes") { Description = "With --negatives: write every negative question's outcome (mode, evidence, support) as JSON lines to this file." };
        var command = new Command("answers", "Retrieval hit rate, abstention accuracy, citation validity and answer language on a gold set.") { gold, json, extractive, negatives, outcomes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var goldPath = parse.GetValue(gold)!;
            var set = AnswerGoldSet.Load(goldPath);
            var folder = Path.Combine(Path.GetTempPath(), "policychat-eval-" + Guid.NewGuid().ToString("N"));
            try
            {
                var overrides = new Dictionary<string, string?> { ["Conversations:Path"] = Path.Combine(folder, "conversations.db") };
                if (parse.GetValue(extractive))
                {
                    overrides["Llm:Endpoint"] = "";
                    overrides["Llm:Model"] = "";
                }
                await using var services = CliServices.Create(Path.Combine(folder, "eval.db"), overrides);
                var corpus = set.CorpusFolder(goldPath);
                var summary = await services.Pipeline.IngestAsync([corpus], cancellationToken: cancellationToken);
                var ids = summary.Results.Where(r => r.DocumentId is not null)
                    .ToDictionary(r => Path.GetFileName(r.Path), r => r.DocumentId!, StringComparer.Ordinal);
                var evaluation = await new AnswerEvaluator(services.Answers, ids).RunAsync(set, cancellationToken);
                if (parse.GetValue(negatives) is { } negativesPath)
                {
                    var negativeMetrics = await new SquadAnswerEvaluator(services.Answers, services.Analyzer)
                        .RunNegativesAsync(LoadQuestions(negativesPath), cancellationToken);
                    evaluation = evaluation with { Negatives = NegativeSummary.From(negativeMetrics) };
                    if (parse.GetValue(outcomes) is { } outcomesPath)
                    {
                        await WriteOutcomesAsync(outcomesPath, null, negativeMetrics, cancellationToken);
                    }
                }
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(evaluation, CliJsonContext.Readable.AnswerEvaluation));
                    return 0;
                }
                Console.WriteLine($"questions                      {evaluation.Questions} ({string.Join(", ", evaluation.Modes.Select(m => $"{m.Value} {m.Key}"))})");
                Console.WriteLine($"top-3 hit rate (answerable)    {evaluation.RetrievalHitRate:0.000}");
                Console.WriteLine($"  same-language                {evaluation.SameLanguageHitRate:0.000}");
                Console.WriteLine($"  cross-lingual                {evaluation.CrossLingualHitRate:0.000}");
                Console.WriteLine($"  follow-up                    {evaluation.FollowUpHitRate:0.000}");
                Console.WriteLine($"abstention accuracy            {evaluation.AbstentionAccuracy:0.000}");
                Console.WriteLine($"  without translation needed   {evaluation.AbstentionAccuracyWithoutTranslation:0.000}");
                Console.WriteLine($"  as if translated             {evaluation.AbstentionAccuracyWithTranslation:0.000}");
                Console.WriteLine($"citation validity              {evaluation.CitationValidity:0.000} of {evaluation.CitationsEmitted}");
                Console.WriteLine($"answer-language accuracy       {evaluation.AnswerLanguageAccuracy:0.000}");
                Console.WriteLine($"preparation p50                {evaluation.PreparationP50Ms:0.0} ms");
                if (evaluation.Negatives is { } n)
                {
                    Console.WriteLine($"negatives                      {n.Questions}: refused {n.Refused:0.0000}, partial {n.Partial:0.0000}, answered {n.Answered:0.0000} (negative_abstention {n.NegativeAbstention:0.0000})");
                }
                foreach (var o in evaluation.Outcomes.Where(o => o.RetrievalHit == false || !o.AbstentionCorrect || !o.LanguageCorrect))
                {
                    Console.WriteLine($"  miss {o.Id}: mode {o.Mode}, hit {o.RetrievalHit?.ToString() ?? "-"}, abstention ok {o.AbstentionCorrect}, language ok {o.LanguageCorrect}, evidence {o.Evidence:0.000}");
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

    private static Option<string?> CommonNegatives() => new("--negatives")
    {
        Description = "Also ask this file's questions (SQuAD JSON, or text with one question a line), which the collection does not answer, and report negative_abstention (share refused or partial).",
    };

    /// <summary>The eval commands never call a language model: they measure the extractive pipeline.</summary>
    private static Dictionary<string, string?> ExtractiveOverrides(string folder) => new()
    {
        ["Llm:Endpoint"] = "",
        ["Llm:Model"] = "",
        ["Conversations:Path"] = Path.Combine(folder, "conversations.db"),
    };

    private static IEnumerable<string> LoadQuestions(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? SquadDataset.Load(path).Questions.Select(q => q.Text)
            : File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0);

    private static async Task WriteOutcomesAsync(string path, SquadAnswerMetrics? answers, SquadAnswerMetrics? negatives, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(path);
        foreach (var (set, metrics) in new[] { ("answerable", answers), ("negative", negatives) })
        {
            foreach (var o in metrics?.Outcomes ?? [])
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(CliJson.ToJson(set, o), CliJsonContext.Compact.OutcomeJson).AsMemory(), cancellationToken);
            }
        }
    }

    private static string Snippet(string? text) => text is null ? "" : (text.Length > 140 ? text[..140] + "…" : text).ReplaceLineEndings(" ");

    private static Command Squad()
    {
        var documents = new Argument<string>("documents") { Description = "SQuAD v1.1 JSON whose paragraphs become the documents." };
        var questions = new Option<string?>("--questions") { Description = "A parallel SQuAD file whose questions are asked instead (cross-lingual runs)." };
        var json = CommonOptions.Json();
        var wordWeight = new Option<double?>("--word-weight") { Description = "Override Retrieval:WordWeight." };
        var ngramWeight = new Option<double?>("--ngram-weight") { Description = "Override Retrieval:NGramWeight." };
        var rrfK = new Option<int?>("--rrf-k") { Description = "Override Retrieval:RrfK." };
        var misses = new Option<int>("--show-misses") { Description = "Print up to N questions whose passage was not ranked first (to stderr)." };
        var answers = new Option<bool>("--answers") { Description = "Also run the whole answer pipeline in extractive mode for every question and score the quoted sentences against the gold answers." };
        var negatives = CommonNegatives();
        var outcomes = new Option<string?>("--outcomes") { Description = "With --answers: write every question's outcome (mode, evidence, support, containment) as JSON lines to this file." };
        var command = new Command("squad", "Recall@1/5/10, MRR@10 and latency of passage retrieval on a SQuAD-format file (temporary index); with --answers, answer quality.")
        {
            documents, questions, json, wordWeight, ngramWeight, rrfK, misses, answers, negatives, outcomes,
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
                await using var services = CliServices.Create(dbPath, ExtractiveOverrides(folder));
                var defaults = services.RetrievalOptions;
                var options = defaults with
                {
                    WordWeight = parse.GetValue(wordWeight) ?? defaults.WordWeight,
                    NGramWeight = parse.GetValue(ngramWeight) ?? defaults.NGramWeight,
                    RrfK = parse.GetValue(rrfK) ?? defaults.RrfK,
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
                if (parse.GetValue(answers) || parse.GetValue(negatives) is not null)
                {
                    var answerEvaluator = new SquadAnswerEvaluator(services.Answers, services.Analyzer);
                    var answerMetrics = parse.GetValue(answers) ? await answerEvaluator.RunAsync(dataset, cancellationToken: cancellationToken) : null;
                    var negativeMetrics = parse.GetValue(negatives) is { } negativesPath
                        ? await answerEvaluator.RunNegativesAsync(LoadQuestions(negativesPath), cancellationToken)
                        : null;
                    if (parse.GetValue(outcomes) is { } outcomesPath)
                    {
                        await WriteOutcomesAsync(outcomesPath, answerMetrics, negativeMetrics, cancellationToken);
                    }
                    var report = CliJson.ToJson(dataset, metrics, answerMetrics, negativeMetrics);
                    Console.WriteLine(parse.GetValue(json)
                        ? JsonSerializer.Serialize(report, CliJsonContext.Readable.SquadAnswersJson)
                        : CliJson.ToText(report));
                    return 0;
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
