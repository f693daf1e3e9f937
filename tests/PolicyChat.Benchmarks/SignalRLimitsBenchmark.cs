using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Testing;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Per-client limits under load, against the real server (Kestrel on loopback, open mode, so a client is its IP
/// address; each simulated client connects from its own 127.x.y.z address) with a scripted model that answers at once,
/// and the default budgets (30 hub questions a minute, burst 10; 4 answers at once; new hub connections 60 a minute,
/// burst raised to 50 so one client can hold 50 connections).
/// 1. Connection rate: one client opens connections one after another; those past the burst are refused (429).
/// 2. One client, 50 connections, each asking again as soon as it has an answer or a refusal, for S seconds: answers
///    must stay within the client's budget (burst + the refill over S seconds).
/// 3. Many clients: N clients, one connection each, all ask at the same moment, two rounds: every question answered,
///    0 errors. Memory is sampled before, with all connections open, after answering and after closing them.
/// Args: [clients=500] [connections=50] [seconds=5] [Section:Key=value …]. Exit code 0 when 2 and 3 hold.
/// </summary>
public sealed class SignalRLimitsBenchmark : IBenchmark
{
    public string Name => "signalr-limits";

    public string Description => "per-client hub limits: 50 connections of one client stay within its budget; 500 clients all answered; memory";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var positional = args.Where(a => !a.Contains('=', StringComparison.Ordinal)).ToArray();
        var clientCount = Arg(positional, 0, 500);
        var oneClientConnections = Arg(positional, 1, 50);
        var seconds = Arg(positional, 2, 5);
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["RateLimits:HubQuestionsPerMinute"] = "30",
            ["RateLimits:HubBurst"] = "10",
            ["RateLimits:HubConnectionsPerMinute"] = "60",
            ["RateLimits:HubConnectionBurst"] = oneClientConnections.ToString(CultureInfo.InvariantCulture),
            ["RateLimits:ConcurrentAnswersPerClient"] = "4",
        };
        foreach (var kv in args.Where(a => a.Contains('=', StringComparison.Ordinal)).Select(a => a.Split('=', 2)))
        {
            overrides[kv[0]] = kv[1];
        }
        var perMinute = int.Parse(overrides["RateLimits:HubQuestionsPerMinute"]!, CultureInfo.InvariantCulture);
        var burst = int.Parse(overrides["RateLimits:HubBurst"]!, CultureInfo.InvariantCulture);
        var connectionBurst = int.Parse(overrides["RateLimits:HubConnectionBurst"]!, CultureInfo.InvariantCulture);

        var repoRoot = SignalRLoadBenchmark.FindRepoRoot();
        var questions = SignalRLoadBenchmark.LoadQuestions(repoRoot);
        var directory = Path.Combine(Path.GetTempPath(), "policychat-signalr-limits", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using var model = await ScriptedOpenAiServer.StartAsync(cancellationToken);
        model.ChatHandler = SignalRLoadBenchmark.InstantAnswer;
        await using var app = await SignalRLoadBenchmark.StartServerAsync(repoRoot, directory, model.BaseUrl, overrides, cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var hub = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/hubs/chat");
        Console.WriteLine($"signalr-limits: {hub} ({Environment.ProcessorCount} cores; server, scripted model and clients in this process), "
            + string.Join(" ", overrides.Select(o => $"{o.Key}={o.Value}")));
        var failed = false;
        await using var pool = new ClientPool(hub);
        try
        {
            // Warm-up (JIT, SQLite caches), from a client of its own.
            var warm = await pool.ConnectAsync(Client(0, 4), cancellationToken);
            for (var i = 0; i < 3; i++)
            {
                await AskAsync(warm!, questions[i], cancellationToken);
            }

            // 1. Connection rate.
            var attempts = connectionBurst + 30;
            var accepted = 0;
            var refusals = new List<string>();
            for (var i = 0; i < attempts; i++)
            {
                try
                {
                    await pool.ConnectAsync(Client(0, 3), cancellationToken);
                    accepted++;
                }
                catch (WebSocketException ex)
                {
                    refusals.Add(ex.Message);
                }
            }
            Console.WriteLine($"1. connection rate: one client opened {attempts} hub connections in a row: {accepted} accepted, {refusals.Count} refused"
                + (refusals.Count > 0 ? $" (\"{refusals[0]}\")" : "") + $"; burst {connectionBurst}, then 1 a second");
            await pool.CloseAsync(Client(0, 3));

            // 2. One client, many connections.
            var own = new List<SignalRJsonClient>();
            for (var i = 0; i < oneClientConnections; i++)
            {
                own.Add((await pool.ConnectAsync(Client(0, 2), cancellationToken))!);
            }
            GC.Collect();
            var heapBeforeFlood = GC.GetTotalMemory(true);
            var answered = 0;
            var refusedBudget = 0;
            var refusedRunning = 0;
            var otherErrors = 0;
            var clock = Stopwatch.StartNew();
            var deadline = TimeSpan.FromSeconds(seconds);
            await Task.WhenAll(own.Select(async (client, i) =>
            {
                for (var round = 0; clock.Elapsed < deadline; round++)
                {
                    var outcome = await AskAsync(client, questions[(i + round) % questions.Count], cancellationToken);
                    switch (outcome)
                    {
                        case { Done: true }: Interlocked.Increment(ref answered); break;
                        case { Error: { } e } when e.Contains("Too many requests", StringComparison.Ordinal): Interlocked.Increment(ref refusedBudget); break;
                        case { Error: { } e } when e.Contains("answers running", StringComparison.Ordinal): Interlocked.Increment(ref refusedRunning); break;
                        default: Interlocked.Increment(ref otherErrors); break;
                    }
                }
            }));
            var elapsed = clock.Elapsed;
            GC.Collect();
            var heapAfterFlood = GC.GetTotalMemory(true);
            var refillSeconds = perMinute >= 60 ? 1.0 : 60.0 / perMinute;
            var refillPerPeriod = Math.Max(1, perMinute / 60);
            var budget = burst + (int)Math.Floor(elapsed.TotalSeconds / refillSeconds) * refillPerPeriod + refillPerPeriod;
            var asked = answered + refusedBudget + refusedRunning + otherErrors;
            var withinBudget = answered <= budget && otherErrors == 0;
            failed |= !withinBudget;
            Console.WriteLine($"2. one client, {oneClientConnections} connections, {elapsed.TotalSeconds:F1} s: {asked} questions asked, {answered} answered "
                + $"(budget {budget}: burst {burst} + {perMinute}/min), {refusedBudget} refused by the budget, {refusedRunning} by the concurrent-answer bound, "
                + $"{otherErrors} other errors; {asked / elapsed.TotalSeconds:F0} questions/s handled. {(withinBudget ? "PASS" : "FAIL")}");
            Console.WriteLine($"   managed heap before {Stats.Mb(heapBeforeFlood)}, after {Stats.Mb(heapAfterFlood)}");
            await pool.CloseAsync(Client(0, 2));

            // 3. Many clients at once.
            model.ClearRequests();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var before = (Heap: GC.GetTotalMemory(true), WorkingSet: process.WorkingSet64);
            var connectClock = Stopwatch.StartNew();
            var many = new SignalRJsonClient[clientCount];
            using (var gate = new SemaphoreSlim(32))
            {
                await Task.WhenAll(Enumerable.Range(0, clientCount).Select(async i =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        many[i] = (await pool.ConnectAsync(Client(1 + i / 250, 1 + i % 250), cancellationToken))!;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            GC.Collect();
            process.Refresh();
            var open = (Heap: GC.GetTotalMemory(true), WorkingSet: process.WorkingSet64);
            Console.WriteLine($"3. {clientCount} clients connected in {connectClock.Elapsed.TotalSeconds:F1} s");
            var errors = 0;
            var firstDelta = new List<double>();
            var done = new List<double>();
            for (var round = 0; round < 2; round++)
            {
                var roundClock = Stopwatch.StartNew();
                var outcomes = await Task.WhenAll(many.Select((client, i) => AskAsync(client, questions[(i + round * 7) % questions.Count], cancellationToken)));
                var roundErrors = outcomes.Count(o => !o.Done);
                errors += roundErrors;
                firstDelta.AddRange(outcomes.Where(o => o.FirstDeltaMs is not null).Select(o => o.FirstDeltaMs!.Value));
                done.AddRange(outcomes.Where(o => o.Done).Select(o => o.DoneMs));
                Console.WriteLine($"   round {round + 1}: {outcomes.Length} questions at the same moment, {outcomes.Length - roundErrors} answered, {roundErrors} errors, "
                    + $"{roundClock.Elapsed.TotalMilliseconds:F0} ms"
                    + (roundErrors > 0 ? $" (first: {outcomes.First(o => !o.Done).Error})" : ""));
            }
            model.ClearRequests(); // the scripted model keeps every prompt it was sent; that is not the server's memory
            GC.Collect();
            process.Refresh();
            var answeredMemory = (Heap: GC.GetTotalMemory(true), WorkingSet: process.WorkingSet64);
            await pool.DisposeClientsAsync();
            await Task.Delay(500, cancellationToken);
            GC.Collect();
            process.Refresh();
            var closed = (Heap: GC.GetTotalMemory(true), WorkingSet: process.WorkingSet64);
            failed |= errors > 0;
            Console.WriteLine($"   {done.Count} answered, {errors} errors. {(errors == 0 ? "PASS" : "FAIL")}; first delta p50 {Stats.Median(firstDelta):F0} ms, "
                + $"p95 {Stats.Percentile(firstDelta, 0.95):F0} ms; done p50 {Stats.Median(done):F0} ms, p95 {Stats.Percentile(done, 0.95):F0} ms");
            Console.WriteLine($"   memory (managed heap / working set; the scripted model's request log cleared before each sample): before {Stats.Mb(before.Heap)} / {Stats.Mb(before.WorkingSet)}, "
                + $"{clientCount} connections open {Stats.Mb(open.Heap)} / {Stats.Mb(open.WorkingSet)} "
                + $"({(open.Heap - before.Heap) / 1024.0 / clientCount:F0} KB managed per connection, clients included), "
                + $"after answering {Stats.Mb(answeredMemory.Heap)} / {Stats.Mb(answeredMemory.WorkingSet)}, "
                + $"after closing {Stats.Mb(closed.Heap)} / {Stats.Mb(closed.WorkingSet)}; peak working set {Stats.Mb(process.PeakWorkingSet64)}");
            return failed ? 1 : 0;
        }
        finally
        {
            await pool.DisposeClientsAsync();
            await app.StopAsync(CancellationToken.None);
            SignalRLoadBenchmark.TryDelete(directory);
        }
    }

    /// <summary>127.0.<paramref name="c"/>.<paramref name="d"/>: one simulated client (Linux routes all of 127/8 to loopback).</summary>
    private static IPAddress Client(int c, int d) => new([127, 0, (byte)c, (byte)d]);

    private sealed record Outcome(bool Done, double? FirstDeltaMs, double DoneMs, string? Error);

    private static async Task<Outcome> AskAsync(SignalRJsonClient client, string question, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        double? first = null;
        var done = false;
        string? error = null;
        try
        {
            var stream = await client.StreamAsync("Ask", [new { question, language = "en" }], cancellationToken);
            await foreach (var item in stream.ItemsAsync(cancellationToken))
            {
                switch (item.GetProperty("type").GetString())
                {
                    case "delta":
                        first ??= clock.Elapsed.TotalMilliseconds;
                        break;
                    case "done":
                        done = true;
                        break;
                    case "error":
                        error = item.GetProperty("message").GetString();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is HubStreamException or InvalidOperationException or WebSocketException or IOException)
        {
            error = ex.Message;
        }
        return new Outcome(done && error is null, first, clock.Elapsed.TotalMilliseconds, error ?? (done ? null : "no done event"));
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index && int.TryParse(args[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>WebSocket connections from chosen loopback source addresses (one HTTP handler per address).</summary>
    private sealed class ClientPool(Uri hub) : IAsyncDisposable
    {
        private readonly Dictionary<IPAddress, HttpMessageInvoker> _invokers = [];
        private readonly List<(IPAddress From, SignalRJsonClient Client)> _clients = [];

        /// <summary>Connects from <paramref name="from"/>; throws <see cref="WebSocketException"/> when the server refuses the upgrade.</summary>
        public async Task<SignalRJsonClient?> ConnectAsync(IPAddress from, CancellationToken cancellationToken)
        {
            HttpMessageInvoker invoker;
            lock (_invokers)
            {
                if (!_invokers.TryGetValue(from, out invoker!))
                {
                    invoker = _invokers[from] = new HttpMessageInvoker(new SocketsHttpHandler { ConnectCallback = (context, token) => ConnectFromAsync(from, context.DnsEndPoint, token) });
                }
            }
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(hub, invoker, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            var client = await SignalRJsonClient.ConnectAsync(socket, cancellationToken);
            lock (_clients)
            {
                _clients.Add((from, client));
            }
            return client;
        }

        public async Task CloseAsync(IPAddress from)
        {
            List<SignalRJsonClient> closing;
            lock (_clients)
            {
                closing = [.. _clients.Where(c => c.From.Equals(from)).Select(c => c.Client)];
                _clients.RemoveAll(c => c.From.Equals(from));
            }
            foreach (var client in closing)
            {
                await client.DisposeAsync();
            }
        }

        public async Task DisposeClientsAsync()
        {
            List<SignalRJsonClient> closing;
            lock (_clients)
            {
                closing = [.. _clients.Select(c => c.Client)];
                _clients.Clear();
            }
            foreach (var client in closing)
            {
                await client.DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await DisposeClientsAsync();
            foreach (var invoker in _invokers.Values)
            {
                invoker.Dispose();
            }
        }

        private static async ValueTask<Stream> ConnectFromAsync(IPAddress from, DnsEndPoint to, CancellationToken cancellationToken)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(to, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }
}
