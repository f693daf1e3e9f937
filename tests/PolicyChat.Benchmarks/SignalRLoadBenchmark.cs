using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyChat.Server;
using PolicyChat.Server.Apis;
using PolicyChat.Server.Seeding;
using PolicyChat.Testing;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Concurrent SignalR conversations against the real server (Kestrel on loopback, in this process) whose language
/// model is a <see cref="ScriptedOpenAiServer"/> that answers at once. Every connection asks at the same moment, for
/// several rounds (each connection is one conversation: later rounds carry its conversation id). Reports the time
/// from sending the question to the first <c>delta</c> event (p50/p95/p99), time to <c>done</c>, errors, and memory.
/// Args: [connections=100] [questions per connection=5] [think=MS] [Section:Key=value …]. Without think every
/// connection asks at the same moment, round after round (burst: the worst case); with think=MS each conversation
/// waits a random 0–2·MS before each question (steady load). Other key=value pairs override server settings, e.g.
/// Retrieval:NGramWeight=0. Target: p95 first delta ≤ 50 ms with zero errors.
/// </summary>
public sealed partial class SignalRLoadBenchmark : IBenchmark
{
    public string Name => "signalr-load";

    public string Description => "100 concurrent SignalR conversations, instant scripted model: p50/p95 time to first delta, errors, memory";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var positional = args.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToArray();
        var connections = Arg(positional, 0, 100);
        var rounds = Arg(positional, 1, 5);
        var think = args.Where(a => a.StartsWith("think=", StringComparison.Ordinal))
            .Select(a => int.Parse(a["think=".Length..], CultureInfo.InvariantCulture)).FirstOrDefault();
        var overrides = args.Where(a => a.Contains('=', StringComparison.Ordinal) && !a.StartsWith("think=", StringComparison.Ordinal))
            .Select(a => a.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)kv[1], StringComparer.OrdinalIgnoreCase);
        var repoRoot = FindRepoRoot();
        var questions = LoadQuestions(repoRoot);
        var directory = Path.Combine(Path.GetTempPath(), "policychat-signalr-load", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);

        await using var model = await ScriptedOpenAiServer.StartAsync(cancellationToken);
        model.ChatHandler = InstantAnswer;
        await using var app = await StartServerAsync(repoRoot, directory, model.BaseUrl, overrides, cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var hubUri = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/hubs/chat");
        Console.WriteLine($"signalr-load: {connections} connections × {rounds} questions against {hubUri} ({Environment.ProcessorCount} cores, scripted model answers instantly), "
            + (think == 0 ? "burst: every connection asks at the same moment, round after round" : $"steady: each conversation waits 0–{2 * think} ms (random) before each question")
            + (overrides.Count == 0 ? "" : ", settings " + string.Join(" ", overrides.Select(o => $"{o.Key}={o.Value}"))));

        var clients = new List<SignalRJsonClient>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(hubUri, cancellationToken);
                clients.Add(await SignalRJsonClient.ConnectAsync(socket, cancellationToken));
            }

            // Warm-up: JIT, connection pools, SQLite caches (not measured).
            for (var i = 0; i < 20; i++)
            {
                await AskAsync(clients[i % clients.Count], questions[i % questions.Count], null, cancellationToken);
            }
            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

            var conversations = new string?[connections];
            var firstDelta = new List<double>();
            var toDone = new List<double>();
            var errors = 0;
            var modes = new Dictionary<string, int>(StringComparer.Ordinal);
            var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            var wall = Stopwatch.StartNew();
            void Record(int i, Outcome o, List<double> sink)
            {
                lock (firstDelta)
                {
                    if (o.Error is not null || o.FirstDeltaMs is null)
                    {
                        errors++;
                        if (errors <= 5)
                        {
                            Console.WriteLine($"  error on connection {i}: {o.Error ?? "no delta"}");
                        }
                        return;
                    }
                    conversations[i] = o.ConversationId;
                    sink.Add(o.FirstDeltaMs.Value);
                    toDone.Add(o.DoneMs);
                    modes[o.Mode ?? "?"] = modes.GetValueOrDefault(o.Mode ?? "?") + 1;
                    foreach (var stage in o.Timings?.EnumerateObject() ?? default)
                    {
                        if (stage.Value.ValueKind == JsonValueKind.Number)
                        {
                            (stages.TryGetValue(stage.Name, out var list) ? list : stages[stage.Name] = []).Add(stage.Value.GetDouble());
                        }
                    }
                }
            }

            if (think == 0)
            {
                for (var round = 0; round < rounds; round++)
                {
                    var roundClock = Stopwatch.StartNew();
                    var outcomes = await Task.WhenAll(clients.Select((client, i) =>
                        AskAsync(client, questions[(i + round * 7) % questions.Count], conversations[i], cancellationToken)));
                    var roundFirst = new List<double>();
                    for (var i = 0; i < outcomes.Length; i++)
                    {
                        Record(i, outcomes[i], roundFirst);
                    }
                    firstDelta.AddRange(roundFirst);
                    Console.WriteLine($"  round {round + 1}: {roundClock.Elapsed.TotalMilliseconds,7:F0} ms  first delta p50 {Stats.Percentile(roundFirst, 0.5),6:F1} ms  p95 {Stats.Percentile(roundFirst, 0.95),6:F1} ms  max {(roundFirst.Count == 0 ? 0 : roundFirst.Max()),6:F1} ms");
                }
            }
            else
            {
                await Task.WhenAll(clients.Select(async (client, i) =>
                {
                    var random = new Random(i);
                    for (var round = 0; round < rounds; round++)
                    {
                        await Task.Delay(random.Next(0, 2 * think), cancellationToken);
                        Record(i, await AskAsync(client, questions[(i + round * 7) % questions.Count], conversations[i], cancellationToken), firstDelta);
                    }
                }));
            }
            wall.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;

            using var process = Process.GetCurrentProcess();
            var gc = GC.GetGCMemoryInfo();
            var p95 = Stats.Percentile(firstDelta, 0.95);
            Console.WriteLine($"signalr-load: {firstDelta.Count} answers, {errors} errors, modes {string.Join(", ", modes.Select(m => $"{m.Key}={m.Value}"))}");
            Console.WriteLine($"  first delta: p50 {Stats.Percentile(firstDelta, 0.5):F1} ms, p95 {p95:F1} ms, p99 {Stats.Percentile(firstDelta, 0.99):F1} ms, max {(firstDelta.Count == 0 ? 0 : firstDelta.Max()):F1} ms (target p95 <= 50 ms)");
            Console.WriteLine($"  done:        p50 {Stats.Percentile(toDone, 0.5):F1} ms, p95 {Stats.Percentile(toDone, 0.95):F1} ms; {firstDelta.Count / wall.Elapsed.TotalSeconds:F0} answers/s, {cpu.TotalMilliseconds / Math.Max(1, firstDelta.Count):F2} CPU-ms per answer");
            Console.WriteLine($"  server stages (p50, from the done event): {string.Join(", ", stages.Select(st => $"{st.Key} {Stats.Median(st.Value):F1} ms"))}");
            Console.WriteLine($"  memory (server, scripted model and {connections} clients share this process): working set {Stats.Mb(process.WorkingSet64)}, "
                + $"peak {Stats.Mb(process.PeakWorkingSet64)}, GC heap {Stats.Mb(gc.HeapSizeBytes)}, managed live {Stats.Mb(GC.GetTotalMemory(false))}, "
                + $"allocated {allocated / 1024.0 / Math.Max(1, firstDelta.Count):F0} KB per answer");
            return errors == 0 && p95 <= 50 ? 0 : 1;
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
            await app.StopAsync(CancellationToken.None);
            TryDelete(directory);
        }
    }

    private sealed record Outcome(double? FirstDeltaMs, double DoneMs, string? ConversationId, string? Mode, string? Error, JsonElement? Timings = null);

    private static async Task<Outcome> AskAsync(SignalRJsonClient client, string question, string? conversationId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        double? first = null;
        string? id = null, mode = null, error = null;
        JsonElement? timings = null;
        try
        {
            var stream = await client.StreamAsync("Ask", [new { question, conversationId }], cancellationToken);
            await foreach (var item in stream.ItemsAsync(cancellationToken))
            {
                var type = item.GetProperty("type").GetString();
                if (type == "delta")
                {
                    first ??= clock.Elapsed.TotalMilliseconds;
                }
                else if (type == "done")
                {
                    id = item.GetProperty("conversationId").GetString();
                    mode = item.GetProperty("mode").GetString();
                    timings = item.GetProperty("timings").Clone();
                }
                else if (type == "error")
                {
                    error = item.GetProperty("message").GetString();
                }
            }
        }
        catch (Exception ex) when (ex is HubStreamException or InvalidOperationException or WebSocketException)
        {
            error = ex.Message;
        }
        return new Outcome(first, clock.Elapsed.TotalMilliseconds, id, mode, error ?? (id is null ? "no done event" : null), timings);
    }

    internal static async Task<WebApplication> StartServerAsync(string repoRoot, string directory, string modelUrl, IReadOnlyDictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:Sqlite:Path"] = Path.Combine(directory, "index.db"),
            ["Conversations:Path"] = Path.Combine(directory, "conversations.db"),
            ["Answer:PromptsPath"] = Path.Combine(repoRoot, "prompts"),
            ["Llm:Endpoint"] = modelUrl,
            ["Llm:Model"] = "scripted-model",
            ["Embedding:Endpoint"] = "",
            ["Embedding:Model"] = "",
            ["Server:SeedCorpusPath"] = Path.Combine(repoRoot, "corpus"),
            ["RateLimits:HubQuestionsPerMinute"] = "100000",
            ["RateLimits:HubBurst"] = "100000",
            // Every connection comes from 127.0.0.1, which the server counts as one client: lift the per-client bounds.
            ["RateLimits:HubConnectionsPerMinute"] = "100000",
            ["RateLimits:HubConnectionBurst"] = "100000",
            ["RateLimits:ConcurrentAnswersPerClient"] = "100000",
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddPolicyChatServer();
        var app = builder.Build();
        app.UsePolicyChatServer();
        app.MapHealthApi();
        app.MapChatHub();
        await app.StartAsync(cancellationToken);
        await app.Services.GetRequiredService<SeedingStatus>().Finished.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        return app;
    }

    /// <summary>Answer prompts get passage [1]'s longest line cited as [1]; rewrite and translation prompts get the question back.</summary>
    internal static ScriptedReply InstantAnswer(RecordedRequest request)
    {
        var messages = request.Messages;
        var prompt = messages.Count == 0 ? "" : messages[^1].Content;
        var passage = FirstPassage().Match(prompt);
        if (passage.Success)
        {
            var line = passage.Groups["text"].Value.Split('\n').MaxBy(l => l.Length)!.Trim();
            if (line.Length > 240)
            {
                var cut = line.LastIndexOf(' ', 240);
                line = line[..(cut > 0 ? cut : 240)];
            }
            return ScriptedReply.Text(line.TrimEnd('.', '。', ' ') + " [1].");
        }
        var asked = prompt.Split('\n').LastOrDefault(l => l.StartsWith("Last message:", StringComparison.Ordinal) || l.StartsWith("Question:", StringComparison.Ordinal));
        return ScriptedReply.Text(asked is null ? "Scripted answer." : asked[(asked.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
    }

    internal static List<string> LoadQuestions(string repoRoot)
    {
        using var gold = JsonDocument.Parse(File.ReadAllText(Path.Combine(repoRoot, "corpus", "gold", "answers.json")));
        return [.. gold.RootElement.GetProperty("questions").EnumerateArray()
            .Where(q => q.GetProperty("answerable").GetBoolean() && q.GetProperty("kind").GetString() != "follow-up")
            .Select(q => q.GetProperty("question").GetString()!)];
    }

    internal static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("PolicyChat.sln not found above " + AppContext.BaseDirectory);
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index && int.TryParse(args[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    internal static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"^\[1\][^\n]*\n(?<text>(?:(?!\n\n\[2\])[\s\S])+)", RegexOptions.Multiline)]
    private static partial Regex FirstPassage();
}
