using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyChat.Server.RateLimiting;
using PolicyChat.Testing;

namespace PolicyChat.Server.Tests.Security;

/// <summary>Budgets that hold per client (API key), across its connections and requests.</summary>
public sealed class ClientLimitsTests(ClientLimitsServerFixture server) : IClassFixture<ClientLimitsServerFixture>
{
    private const string Question = "How many research teams does the National Protein Science Facility in Shanghai support?";

    private static string Type(IReadOnlyList<JsonElement> events) => events[^1].GetProperty("type").GetString()!;

    [Fact]
    public async Task HubQuestions_OneClientOverManyConnections_GetsNoMoreThanItsBudget()
    {
        var key = ClientLimitsServerFixture.Key(0);
        var hubs = new List<Benchmarks.SignalRJsonClient>();
        for (var i = 0; i < ClientLimitsServerFixture.ConnectionBurst; i++)
        {
            hubs.Add(await server.ConnectHubAsync(key));
        }
        var outcomes = new List<string>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var hub in hubs)
            {
                var events = await Hub.ChatHubTests.ReadAllAsync(await hub.StreamAsync("Ask", [new { question = Question, language = "en" }]));
                outcomes.Add(Type(events) == "done" ? "done" : events[^1].GetProperty("message").GetString()!);
            }
        }
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
        Assert.Equal(ClientLimitsServerFixture.HubBurst, outcomes.Count(o => o == "done"));
        Assert.All(outcomes.Where(o => o != "done"), o => Assert.Contains("Too many requests", o));
    }

    [Fact]
    public async Task HubConnections_OverTheBurst_Returns429WithRetryAfter()
    {
        using var client = server.CreateClient(key: ClientLimitsServerFixture.Key(1));
        for (var i = 0; i < ClientLimitsServerFixture.ConnectionBurst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null)).StatusCode);
        }
        var limited = await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
        await Json.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectHubSocketAsync(ClientLimitsServerFixture.Key(1)));

        // Another client is not affected.
        await using var other = await server.ConnectHubAsync(ClientLimitsServerFixture.Key(7));
    }

    [Fact]
    public async Task HubConnections_NegotiateThenWebSocket_CountOnce()
    {
        var key = ClientLimitsServerFixture.Key(6);
        using var client = server.CreateClient(key: key);
        var sockets = new List<System.Net.WebSockets.WebSocket>();
        for (var i = 0; i < ClientLimitsServerFixture.ConnectionBurst; i++)
        {
            var negotiated = await Json.ReadAsync(await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null));
            var token = negotiated.GetProperty("connectionToken").GetString()!;
            var ws = server.Factory.Server.CreateWebSocketClient();
            var uri = new UriBuilder(server.Factory.Server.BaseAddress)
            {
                Scheme = "ws",
                Path = "/hubs/chat",
                Query = "id=" + Uri.EscapeDataString(token) + "&access_token=" + Uri.EscapeDataString(key),
            }.Uri;
            sockets.Add(await ws.ConnectAsync(uri, CancellationToken.None));
        }
        Assert.Equal(ClientLimitsServerFixture.ConnectionBurst, sockets.Count);
        await Json.AssertProblemAsync(await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null), HttpStatusCode.TooManyRequests, "rate_limited");
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
    }

    [Fact]
    public async Task HubAnswers_MoreAtOnceThanTheBound_OneIsRefusedTheOthersFinish()
    {
        var key = ClientLimitsServerFixture.Key(2);
        server.Model!.ChatHandler = r => ServerFixture.AnswerFromFirstPassage(r).WithChunkDelay(TimeSpan.FromMilliseconds(100));
        try
        {
            var hubs = new List<Benchmarks.SignalRJsonClient>();
            for (var i = 0; i <= ClientLimitsServerFixture.Concurrent; i++)
            {
                hubs.Add(await server.ConnectHubAsync(key));
            }
            var streams = new List<Benchmarks.SignalRJsonClient.HubStream>();
            foreach (var hub in hubs)
            {
                streams.Add(await hub.StreamAsync("Ask", [new { question = Question, language = "en" }]));
            }
            var results = await Task.WhenAll(streams.Select(s => Hub.ChatHubTests.ReadAllAsync(s)));
            Assert.Equal(ClientLimitsServerFixture.Concurrent, results.Count(r => Type(r) == "done"));
            var refused = Assert.Single(results, r => Type(r) == "error");
            Assert.Contains("answers running", refused[^1].GetProperty("message").GetString());
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }
        }
        finally
        {
            server.Model.ChatHandler = ServerFixture.AnswerFromFirstPassage;
        }
    }

    [Fact]
    public async Task RestAnswers_MoreAtOnceThanTheBound_Returns429ForTheExtraOne()
    {
        server.Model!.ChatHandler = r => ServerFixture.AnswerFromFirstPassage(r).WithChunkDelay(TimeSpan.FromMilliseconds(100));
        try
        {
            using var client = server.CreateClient(key: ClientLimitsServerFixture.Key(3));
            var responses = await Task.WhenAll(Enumerable.Range(0, ClientLimitsServerFixture.Concurrent + 1)
                .Select(_ => client.PostAsync("/api/ask", Json.Body(new { question = Question }))));
            Assert.Equal(ClientLimitsServerFixture.Concurrent, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var limited = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
            await Json.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "too_many_answers");
            Assert.NotNull(limited.Headers.RetryAfter);

            // Once they are done, the client may ask again.
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/ask", Json.Body(new { question = Question }))).StatusCode);
        }
        finally
        {
            server.Model.ChatHandler = ServerFixture.AnswerFromFirstPassage;
        }
    }

    [Fact]
    public async Task Upload_ManySmallFilesOverTheRequestTextCap_LaterOnesSkippedAndNotStored()
    {
        using var client = server.CreateClient(key: ClientLimitsServerFixture.Key(4));
        var before = (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 3; i++)
        {
            form.Add(File(Words($"capfile{i}", 600)), "files", $"cap{i}.txt");
        }
        var results = (await Json.ReadAsync(await client.PostAsync("/api/documents", form))).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("added", results[0].GetProperty("status").GetString());
        Assert.All(results.Skip(1), r =>
        {
            Assert.Equal("skipped", r.GetProperty("status").GetString());
            Assert.Contains("more text than one upload", r.GetProperty("reason").GetString());
        });
        Assert.Equal(before + 1, (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Upload_TextPerMinuteAcrossRequests_RunsOutAndSkips()
    {
        using var client = server.CreateClient(key: ClientLimitsServerFixture.Key(5), language: "ar");
        var statuses = new List<(string Status, string? Reason)>();
        for (var i = 0; i < 4; i++)
        {
            using var form = new MultipartFormDataContent { { File(Words($"minute{i}", 900)), "files", $"minute{i}.txt" } };
            var result = (await Json.ReadAsync(await client.PostAsync("/api/documents", form))).GetProperty("results")[0];
            statuses.Add((result.GetProperty("status").GetString()!, result.GetProperty("reason").GetString()));
        }
        // 2,500 characters a minute: two 900-character files fit, the third does not (a few seconds refill far less than 900).
        Assert.Equal(["added", "added", "skipped", "skipped"], statuses.Select(s => s.Status));
        Assert.True(Json.HasArabic(statuses[2].Reason!));
    }

    [Fact]
    public void UploadTextBudget_Spent_IsReportedAndRefusesMore()
    {
        using var budget = new UploadTextBudget(Options.Create(new RateLimitOptions { UploadTextCharsPerMinute = 1000 }));
        Assert.False(budget.IsSpent("a"));
        Assert.True(budget.TryTake("a", 1000));
        Assert.True(budget.IsSpent("a"));
        Assert.False(budget.TryTake("a", 10));
        Assert.True(budget.TryTake("b", 10));
        Assert.False(budget.TryTake("c", 1001));
    }

    private static ByteArrayContent File(string text) =>
        new(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } };

    /// <summary>About <paramref name="chars"/> characters of distinct words.</summary>
    private static string Words(string stem, int chars)
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < chars; i++)
        {
            text.Append(stem).Append(i).Append(' ');
        }
        return text.ToString(0, chars);
    }
}
