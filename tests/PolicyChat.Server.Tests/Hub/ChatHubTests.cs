using System.Text.Json;
using PolicyChat.Benchmarks;
using PolicyChat.Testing;

namespace PolicyChat.Server.Tests.Hub;

/// <summary>The SignalR hub through the JSON protocol over WebSockets, with the scripted model.</summary>
public sealed class ChatHubTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    private const string Question = "How many research teams does the National Protein Science Facility in Shanghai support?";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Ask_AnswerableQuestion_StreamsSourcesDeltasCitationsDoneInCamelCase()
    {
        await using var hub = await server.ConnectHubAsync();
        var stream = await hub.StreamAsync("Ask", [new { question = Question }]);
        var events = await ReadAllAsync(stream);
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();

        Assert.Equal("sources", types[0]);
        Assert.Equal(["citations", "done"], types[^2..]);
        Assert.All(types[1..^2], t => Assert.Equal("delta", t));
        Assert.NotEmpty(types[1..^2]);
        var done = events[^1];
        Assert.Equal("llm", done.GetProperty("mode").GetString());
        Assert.Equal(32, done.GetProperty("conversationId").GetString()!.Length);
        var answer = string.Concat(events.Where(e => e.GetProperty("type").GetString() == "delta").Select(e => e.GetProperty("text").GetString()));
        Assert.Contains("[1]", answer);
        var citation = events[^2].GetProperty("citations").EnumerateArray().First();
        Assert.Equal(1, citation.GetProperty("marker").GetInt32());
        Assert.True(citation.TryGetProperty("documentId", out _));
        Assert.Null(stream.CompletionError);
    }

    [Fact]
    public async Task Ask_FollowUpWithConversationId_SendsHistoryToTheModel()
    {
        await using var hub = await server.ConnectHubAsync();
        var first = await ReadAllAsync(await hub.StreamAsync("Ask", [new { question = Question }]));
        var conversationId = first[^1].GetProperty("conversationId").GetString();
        var before = server.Model!.ChatRequests.Count;

        var second = await ReadAllAsync(await hub.StreamAsync("Ask", [new { question = "and what about the Yangtze River Delta platform?", conversationId }]));

        Assert.Equal(conversationId, second[^1].GetProperty("conversationId").GetString());
        var rewrite = server.Model.ChatRequests.Skip(before).First();
        Assert.Contains("National Protein Science Facility", rewrite.Messages[^1].Content);
    }

    [Fact]
    public async Task Ask_EmptyQuestionInArabicUi_SendsOneArabicErrorEvent()
    {
        await using var hub = await server.ConnectHubAsync();
        var events = await ReadAllAsync(await hub.StreamAsync("Ask", [new { question = "   ", language = "ar" }]));
        var error = Assert.Single(events);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.True(Json.HasArabic(error.GetProperty("message").GetString()!));
    }

    [Fact]
    public async Task Ask_QuestionOverTheLimit_SendsErrorEventInTheQuestionsLanguage()
    {
        await using var hub = await server.ConnectHubAsync();
        var events = await ReadAllAsync(await hub.StreamAsync("Ask", [new { question = string.Concat(Enumerable.Repeat("سؤال ", 500)) }]));
        var error = Assert.Single(events);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains("2000", error.GetProperty("message").GetString());
        Assert.True(Json.HasArabic(error.GetProperty("message").GetString()!));
    }

    [Fact]
    public async Task Ask_ModelFailsMidStream_KeepsTheTextAndAppendsTheExtractiveAnswerWithoutExceptionText()
    {
        const string secret = "internal stack trace xyzzy";
        server.Model!.EnqueueChat(ScriptedReply.ErrorMidStream(
            "The National Protein Science Facility in Shanghai supports over 2,500 research teams [1]. It also hosts ", secret));
        await using var hub = await server.ConnectHubAsync();
        var events = await ReadAllAsync(await hub.StreamAsync("Ask", [new { question = Question }]));

        Assert.Equal("done", events[^1].GetProperty("type").GetString());
        Assert.Equal("llm", events[^1].GetProperty("mode").GetString());
        var text = string.Concat(events.Where(e => e.GetProperty("type").GetString() == "delta").Select(e => e.GetProperty("text").GetString()));
        Assert.StartsWith("The National Protein Science Facility in Shanghai supports over 2,500 research teams [1].", text, StringComparison.Ordinal);
        Assert.Contains("The language model stopped before finishing", text, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "error");
        Assert.All(events, e => Assert.DoesNotContain(secret, e.GetRawText()));
    }

    [Fact]
    public async Task Ask_StreamCancelled_ModelCallIsAborted()
    {
        var model = server.Model!;
        model.EnqueueChat(SlowAnswer());
        var before = model.Requests.Count;
        await using var hub = await server.ConnectHubAsync();
        var stream = await hub.StreamAsync("Ask", [new { question = Question }]);
        var request = await model.WaitForRequestAsync(before + 1, s_timeout);
        await FirstEventAsync(stream);

        await stream.CancelAsync();

        await request.Completed.WaitAsync(s_timeout);
        Assert.True(request.ClientAborted, "the model server did not see the client go away");
    }

    [Fact]
    public async Task Ask_ConnectionDropped_ModelCallIsAborted()
    {
        var model = server.Model!;
        model.EnqueueChat(SlowAnswer());
        var before = model.Requests.Count;
        var hub = await server.ConnectHubAsync();
        var stream = await hub.StreamAsync("Ask", [new { question = Question }]);
        var request = await model.WaitForRequestAsync(before + 1, s_timeout);
        await FirstEventAsync(stream);

        hub.Abort();

        await request.Completed.WaitAsync(s_timeout);
        Assert.True(request.ClientAborted, "the model server did not see the client go away");
        await hub.DisposeAsync();
    }

    [Fact]
    public async Task Connection_MessageOverSizeLimit_IsClosedByTheServer()
    {
        await using var hub = await server.ConnectHubAsync();
        await hub.StreamAsync("Ask", [new { question = new string('x', 40 * 1024) }]);
        var closeError = await hub.Closed.WaitAsync(s_timeout);
        Assert.NotNull(closeError);
    }

    [Fact]
    public async Task Connection_BadHandshake_IsRefused()
    {
        using var socket = await server.ConnectHubSocketAsync();
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"protocol\":\"messagepack-nope\",\"version\":1}" + SignalRJsonClient.RecordSeparator);
        await socket.SendAsync(bytes, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(s_timeout);
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count);
        Assert.Contains("error", text);
    }

    internal static ScriptedReply SlowAnswer() =>
        ScriptedReply.Text(string.Join(" ", Enumerable.Repeat("The National Protein Science Facility in Shanghai supports over 2,500 research teams [1].", 40)))
            .WithChunkDelay(TimeSpan.FromMilliseconds(50));

    private static async Task<JsonElement> FirstEventAsync(SignalRJsonClient.HubStream stream)
    {
        await foreach (var item in stream.ItemsAsync().WithCancellation(new CancellationTokenSource(s_timeout).Token))
        {
            return item;
        }
        throw new InvalidOperationException("The stream ended without events.");
    }

    internal static async Task<List<JsonElement>> ReadAllAsync(SignalRJsonClient.HubStream stream)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var items = new List<JsonElement>();
        await foreach (var item in stream.ItemsAsync(timeout.Token))
        {
            items.Add(item);
        }
        return items;
    }
}
