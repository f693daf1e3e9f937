using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Text;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Work before the first model token (retrieval, evidence, prompt rendering and fitting with the o200k tokenizer; follow-up rewriting excluded): the
/// answerable gold questions are asked against the sample corpus, or against an existing index (e.g. the search
/// benchmark's 100,000-chunk file), with an in-process model that answers at once, and AnswerTimings.PreparationMs is
/// collected. Args: [index.db to use instead of the sample corpus] [rounds=5]. Targets: p50 ≤ 15 ms (sample), ≤ 30 ms (100k).
/// </summary>
internal sealed class AnswerPreparationBenchmark : IBenchmark
{
    public string Name => "answer-prep";

    public string Description => "p50 work before the first model token (target ≤ 15 ms sample corpus, ≤ 30 ms at 100k chunks)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var repo = Repo.Root();
        var folder = Path.Combine(Path.GetTempPath(), "policychat-prep-" + Guid.NewGuid().ToString("N"));
        var dbPath = args.Length > 0 ? args[0] : Path.Combine(folder, "index.db");
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = dbPath });
        var analyzer = TextAnalyzer.Default;
        if (args.Length == 0)
        {
            var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions()),
                new DocumentIndexer(analyzer, new Chunker(new ChunkingOptions())), new IngestionOptions());
            await pipeline.IngestAsync([Path.Combine(repo, "corpus")], cancellationToken: cancellationToken);
        }
        await store.InitializeAsync(cancellationToken);
        var answers = new AnswerService(new HybridRetriever(store, analyzer, new RetrievalOptions()), analyzer,
            PromptProvider.Load(Path.Combine(repo, "prompts")),
            new ConversationStore(new ConversationOptions { Path = Path.Combine(folder, "conversations.db") }),
            new AnswerOptions { CrossLingual = false, AbstainBelow = 0 }, new InstantChatClient());
        var gold = AnswerGoldSet.Load(Path.Combine(repo, "corpus", "gold", "answers.json"));
        var questions = gold.Questions.Where(q => q.Answerable && q.History is null).Select(q => q.Question).ToList();
        var times = new List<double>();
        var fitTimes = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var q in questions)
            {
                var result = await answers.AskAsync(new AskRequest(q), cancellationToken);
                // The prompt rendering and token counting alone (part of PreparationMs), timed again on the same passages.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await answers.FitAnswerPromptAsync(result.StandaloneQuestion, result.Language, result.Passages, [], cancellationToken);
                if (round > 0)
                {
                    times.Add(result.Timings.PreparationMs); // the first round warms up
                    fitTimes.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }
        var stats = await store.GetStatsAsync(cancellationToken);
        Console.WriteLine($"answer-prep: {stats.Chunks} chunks, {times.Count} questions; preparation p50 {Stats.Median(times):0.00} ms, p95 {Stats.Percentile(times, 0.95):0.00} ms; " +
            $"of which prompt rendering + o200k counting p50 {Stats.Median(fitTimes):0.00} ms");
        SqliteIndexStore.ClearPools();
        return 0;
    }

    /// <summary>A model that answers "[1]." at once, so only PolicyChat's own work is timed.</summary>
    private sealed class InstantChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "ok [1].");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}

internal static class Repo
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("PolicyChat.sln not found");
    }
}
