using System.Diagnostics;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Models;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;
using PolicyChat.Testing;

namespace PolicyChat.Benchmarks;

/// <summary>
/// A model that accepts the connection and never answers (the scripted OpenAI server holding every reply back): the
/// answerable gold questions are asked in turn over the sample corpus through the product's chat client pipeline
/// (first-token timeout, retry, circuit breaker), translations included. Args: [FirstTokenTimeoutSeconds=2] [questions=11].
/// Targets: the first question within FirstTokenTimeoutSeconds + 1 s, each following one within 100 ms.
/// </summary>
internal sealed class HungModelBenchmark : IBenchmark
{
    public string Name => "hung-model";

    public string Description => "answer times with a model that never answers (target: first ≤ FirstTokenTimeoutSeconds + 1 s, next ten ≤ 100 ms each)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var firstTokenSeconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
        var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 11;
        var repo = Repo.Root();
        var folder = Path.Combine(Path.GetTempPath(), "policychat-hung-" + Guid.NewGuid().ToString("N"));
        await using var model = await ScriptedOpenAiServer.StartAsync(cancellationToken);
        model.ChatHandler = _ => ScriptedReply.Text("never").WithFirstByteDelay(TimeSpan.FromMinutes(10));
        await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(folder, "index.db") });
        var analyzer = TextAnalyzer.Default;
        var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions()),
            new DocumentIndexer(analyzer, new Chunker(new ChunkingOptions())), new IngestionOptions());
        await pipeline.IngestAsync([Path.Combine(repo, "corpus")], cancellationToken: cancellationToken);
        var llm = new LlmOptions { Endpoint = model.BaseUrl, Model = "qwen2.5:7b", FirstTokenTimeoutSeconds = firstTokenSeconds, ProbeIntervalSeconds = 600 };
        using var http = ModelEndpoints.CreateHttpClient();
        using var chat = ModelClients.CreateChatClient(llm, http);
        var answers = new AnswerService(new HybridRetriever(store, analyzer, new RetrievalOptions()), analyzer,
            PromptProvider.Load(Path.Combine(repo, "prompts")),
            new ConversationStore(new ConversationOptions { Path = Path.Combine(folder, "conversations.db") }),
            new AnswerOptions { AbstainBelow = 0 }, chat);
        // A running server has loaded its tokenizer and answered before: warm the process the same way (no model).
        Microsoft.ML.Tokenizers.Tokenizer tokenizer = PolicyChat.Core.Tokens.TokenizerFactory.Default;
        _ = tokenizer.CountTokens("warm-up");
        var warm = new AnswerService(new HybridRetriever(store, analyzer, new RetrievalOptions()), analyzer,
            PromptProvider.Load(Path.Combine(repo, "prompts")),
            new ConversationStore(new ConversationOptions { Path = Path.Combine(folder, "warm.db") }), new AnswerOptions { AbstainBelow = 0 });
        var questions = AnswerGoldSet.Load(Path.Combine(repo, "corpus", "gold", "answers.json")).Questions
            .Where(q => q.Answerable && q.History is null).Select(q => q.Question).ToList();

        await warm.AskAsync(new AskRequest(questions[^1]), cancellationToken);
        var times = new List<double>();
        var modes = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await answers.AskAsync(new AskRequest(questions[i % questions.Count]), cancellationToken);
            times.Add(clock.Elapsed.TotalMilliseconds);
            modes.Add(result.Mode);
        }
        var next = times.Skip(1).ToList();
        Console.WriteLine($"hung-model: FirstTokenTimeoutSeconds {firstTokenSeconds}; first question {times[0]:0} ms (target ≤ {(firstTokenSeconds + 1) * 1000} ms), " +
            $"next {next.Count}: p50 {Stats.Median(next):0.0} ms, max {next.Max():0.0} ms (target ≤ 100 ms each); modes {string.Join(",", modes.Distinct())}; " +
            $"model requests {model.ChatRequests.Count}");
        SqliteIndexStore.ClearPools();
        return times[0] <= (firstTokenSeconds + 1) * 1000 && next.All(t => t <= 100) ? 0 : 1;
    }
}
