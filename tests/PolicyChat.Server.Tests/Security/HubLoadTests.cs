using System.Text.Json;
using PolicyChat.Benchmarks;

namespace PolicyChat.Server.Tests.Security;

/// <summary>
/// A small functional version of the signalr-limits benchmark: one client with many connections stays within its
/// budget; many clients asking at once are all answered, without errors.
/// </summary>
public sealed class HubLoadTests(HubLoadServerFixture server) : IClassFixture<HubLoadServerFixture>
{
    private const string Question = "What is DeepSeek?";

    [Fact]
    public async Task OneClient_20ConnectionsAsking40QuestionsAtOnce_GetsAtMostItsBudget()
    {
        var key = HubLoadServerFixture.Key(0);
        var hubs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.ConnectHubAsync(key)));
        var streams = new List<SignalRJsonClient.HubStream>();
        foreach (var hub in hubs)
        {
            streams.Add(await hub.StreamAsync("Ask", [new { question = Question, language = "en" }]));
            streams.Add(await hub.StreamAsync("Ask", [new { question = Question, language = "en" }]));
        }
        var results = await Task.WhenAll(streams.Select(s => Hub.ChatHubTests.ReadAllAsync(s)));
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
        var answered = results.Count(r => Last(r) == "done");
        // The budget is 5 at once plus 1 a minute; the test takes seconds.
        Assert.InRange(answered, HubLoadServerFixture.HubBurst, HubLoadServerFixture.HubBurst + 1);
        Assert.All(results.Where(r => Last(r) != "done"), r => Assert.Contains("Too many requests", r[^1].GetProperty("message").GetString()));
        Assert.All(streams, s => Assert.Null(s.CompletionError));
    }

    [Fact]
    public async Task ManyClients_58ConnectionsAskingAtOnce_AreAllAnsweredWithoutErrors()
    {
        var hubs = await Task.WhenAll(Enumerable.Range(1, HubLoadServerFixture.Clients - 1)
            .SelectMany(client => new[] { client, client })
            .Select(client => server.ConnectHubAsync(HubLoadServerFixture.Key(client))));
        var streams = await Task.WhenAll(hubs.Select(hub => hub.StreamAsync("Ask", [new { question = Question }])));
        var results = await Task.WhenAll(streams.Select(s => Hub.ChatHubTests.ReadAllAsync(s)));
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
        Assert.Equal(58, results.Length);
        Assert.All(results, r => Assert.Equal("done", Last(r)));
        Assert.All(streams, s => Assert.Null(s.CompletionError));
    }

    private static string Last(IReadOnlyList<JsonElement> events) => events[^1].GetProperty("type").GetString()!;
}
