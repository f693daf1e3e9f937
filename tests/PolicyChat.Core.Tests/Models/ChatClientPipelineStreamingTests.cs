using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class ChatClientPipelineStreamingTests : ModelTestBase
{
    [Fact]
    public async Task GetStreamingResponseAsync_PlainText_YieldsDeltasInOrderWithFinishReasonUsageAndModel()
    {
        Server.EnqueueChat(ScriptedReply.Text("تنص السياسة على حماية البيانات [1]."));
        using var client = NewChatClient();

        var (text, updates) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("تنص السياسة على حماية البيانات [1].", text);
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, "each word should arrive as its own update");
        Assert.Equal(ChatFinishReason.Stop, updates.Last(u => u.FinishReason is not null).FinishReason);
        Assert.All(updates, u => Assert.Equal(ChatModel, u.ModelId));
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(11, usage.Details.InputTokenCount);
        Assert.Equal(6, usage.Details.OutputTokenCount);
        Assert.Equal(17, usage.Details.TotalTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Request_SendsModelMessagesStreamFlagAndLimits()
    {
        using var client = NewChatClient();

        await CollectAsync(client.GetStreamingResponseAsync(Question, new ChatOptions { Temperature = 0.5f, MaxOutputTokens = 77 }));

        var request = Assert.Single(Server.ChatRequests);
        Assert.Equal(ChatModel, request.Model);
        Assert.True(request.Stream);
        Assert.Equal([("system", "Answer from the sources only."), ("user", "ما هي سياسة حماية البيانات؟")],
            request.Messages.Select(m => (m.Role, m.Content)));
        Assert.Equal(77, request.Json!["max_tokens"]!.GetValue<int>());
        Assert.Equal(77, request.Json["max_completion_tokens"]!.GetValue<int>());
        Assert.True(request.Json["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Equal(0.5, request.Json["temperature"]!.GetValue<double>(), 3);
        Assert.Null(request.Authorization);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_DefaultOptions_SendsConfiguredTemperatureAndMaxTokens()
    {
        using var client = NewChatClient();

        await CollectAsync(client.GetStreamingResponseAsync(Question));

        var request = Assert.Single(Server.ChatRequests);
        Assert.Equal(1024, request.Json!["max_tokens"]!.GetValue<int>());
        Assert.Equal(0.2, request.Json["temperature"]!.GetValue<double>(), 3);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ApiKeyAndModelOverride_SendsBearerAndRequestedModel()
    {
        Server.RequiredApiKey = "secret-key";
        using var client = NewChatClient(apiKey: "secret-key");

        var (text, _) = await CollectAsync(client.GetStreamingResponseAsync(Question, new ChatOptions { ModelId = "llama3.2:3b" }));

        Assert.Equal("Scripted answer.", text);
        var request = Assert.Single(Server.ChatRequests);
        Assert.Equal("Bearer secret-key", request.Authorization);
        Assert.Equal("llama3.2:3b", request.Model);
    }

    [Theory]
    [InlineData(StreamQuirks.BlankLines)]
    [InlineData(StreamQuirks.CommentLines)]
    [InlineData(StreamQuirks.FinishReasonSeparate)]
    [InlineData(StreamQuirks.NullContent)]
    [InlineData(StreamQuirks.MissingContent)]
    [InlineData(StreamQuirks.UnknownFields)]
    [InlineData(StreamQuirks.EmptyChoicesChunk)]
    [InlineData(StreamQuirks.AllTolerable)]
    public async Task GetStreamingResponseAsync_StreamQuirk_YieldsFullTextAndFinishReason(StreamQuirks quirk)
    {
        Server.EnqueueChat(ScriptedReply.Quirk(quirk, "Data must be stored locally [2]."));
        using var client = NewChatClient();

        var (text, updates) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("Data must be stored locally [2].", text);
        Assert.All(updates.Where(u => u.FinishReason is not null), u => Assert.Equal(ChatFinishReason.Stop, u.FinishReason));
    }

    [Theory]
    [InlineData(UsageMode.Inline, true)]
    [InlineData(UsageMode.Separate, true)]
    [InlineData(UsageMode.Absent, false)]
    public async Task GetStreamingResponseAsync_UsagePlacement_ReportsUsageWhenSent(UsageMode mode, bool expectUsage)
    {
        Server.EnqueueChat(ScriptedReply.Text("One two three.").WithUsage(mode).WithQuirks(StreamQuirks.FinishReasonSeparate));
        using var client = NewChatClient();

        var (text, updates) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("One two three.", text);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().ToList();
        if (expectUsage)
        {
            Assert.Equal(3, Assert.Single(usage).Details.OutputTokenCount);
        }
        else
        {
            Assert.Empty(usage);
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_LengthFinishReason_MapsToLength()
    {
        Server.EnqueueChat(ScriptedReply.Text("Cut short").WithFinishReason("length"));
        using var client = NewChatClient();

        var (_, updates) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.All(updates.Where(u => u.FinishReason is not null), u => Assert.Equal(ChatFinishReason.Length, u.FinishReason));
        Assert.Contains(updates, u => u.FinishReason is not null);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoDoneMarkerAfterFinishReason_Completes()
    {
        Server.EnqueueChat(ScriptedReply.Quirk(StreamQuirks.NoDoneMarker, "Complete answer."));
        using var client = NewChatClient();

        var (text, _) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("Complete answer.", text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamEndsWithoutFinishReasonOrDone_ThrowsConnectionDropped()
    {
        Server.EnqueueChat(ScriptedReply.RawSse(
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Half an \"},\"finish_reason\":null}]}\n\n"));
        using var client = NewChatClient();

        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("Half an ", text);
        var unavailable = Assert.IsType<ModelException>(error);
        Assert.Equal(ModelFailureKind.ServerError, unavailable.Kind);
        Assert.Contains("dropped before the answer was complete", unavailable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorObjectMidStream_ThrowsServerErrorAfterPartialText()
    {
        Server.EnqueueChat(ScriptedReply.ErrorMidStream("Partial answer ", "CUDA error: out of memory"));
        using var client = NewChatClient();

        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("Partial answer ", text);
        var model = Assert.IsType<ModelException>(error);
        Assert.Equal(ModelFailureKind.ServerError, model.Kind);
        Assert.Contains("CUDA error: out of memory", model.Message, StringComparison.Ordinal);
        Assert.Contains("in the middle of its answer", model.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorLineInSameWriteAsDone_StillThrows()
    {
        // Text, error and [DONE] arrive in one TCP write: the guard must withhold [DONE] from the SDK's reader.
        Server.EnqueueChat(ScriptedReply.RawSse(
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
            + "data: {\"error\":{\"message\":\"context overflow\",\"type\":\"server_error\"}}\n\n"
            + "data: [DONE]\n\n"));
        using var client = NewChatClient();

        var (_, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Contains("context overflow", Assert.IsType<ModelException>(error).Message, StringComparison.Ordinal);
    }

    /// <summary>A plain body where events were asked for (not a quirk PROTOCOLS.md lists): the SDK finds no events.</summary>
    [Theory]
    [InlineData("{\"error\":\"slot unavailable\"}")]
    [InlineData("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"whole\"},\"finish_reason\":\"stop\"}]}")]
    public async Task GetStreamingResponseAsync_JsonBodyWith200_ThrowsConnectionDroppedNotAnEmptyAnswer(string body)
    {
        Server.EnqueueChat(ScriptedReply.Json(body));
        using var client = NewChatClient();

        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("", text);
        var lost = Assert.IsType<ModelException>(error);
        Assert.Equal(ModelFailureKind.ServerError, lost.Kind);
        Assert.Contains("dropped before the answer was complete", lost.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FlatVllmErrorMidStream_ThrowsWithServerMessage()
    {
        Server.EnqueueChat(ScriptedReply.RawSse(
            "data: {\"object\":\"error\",\"message\":\"This model's maximum context length is 4096 tokens.\",\"type\":\"BadRequestError\",\"code\":400}\n\n"
            + "data: [DONE]\n\n"));
        using var client = NewChatClient();

        var (_, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        var model = Assert.IsAssignableFrom<ModelException>(error);
        Assert.Equal(ModelFailureKind.BadRequest, model.Kind);
        Assert.Contains("maximum context length is 4096", model.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConnectionDroppedMidStream_ThrowsConnectionDropped()
    {
        Server.EnqueueChat(ScriptedReply.Drop("The first words "));
        using var client = NewChatClient();

        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("The first words ", text);
        var lost = Assert.IsType<ModelException>(error);
        Assert.Equal(ModelFailureKind.ServerError, lost.Kind);
        Assert.Contains("dropped before the answer was complete", lost.Message, StringComparison.Ordinal);
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ServerDropped);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_CancellationReachesServer()
    {
        Server.EnqueueChat(ScriptedReply.Text("one two three four five six seven eight").WithChunkDelay(TimeSpan.FromMilliseconds(400)));
        using var client = NewChatClient();
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Question, cancellationToken: cts.Token))
            {
                received.Add(update.Text);
                if (update.Text.Length > 0)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal("one ", string.Concat(received));
        // The rest of the stream would take about 3 s; the connection must close now, not be drained for reuse.
        var request = Assert.Single(Server.ChatRequests);
        await request.Completed.WaitAsync(TimeSpan.FromSeconds(1.5));
        Assert.True(request.ClientAborted, "the server should see the client go away (RequestAborted)");
    }

    [Theory]
    [InlineData("factory")]
    [InlineData("default")]
    public async Task GetStreamingResponseAsync_ConsumerStopsReading_ServerSeesAbortWhateverTheHttpClient(string httpClientKind)
    {
        // A plain HttpClient would drain an abandoned response for up to 2 s to reuse the connection, the model
        // generating all along; ModelEndpoints.CreateHttpClient (also the default) closes it at once.
        Server.EnqueueChat(ScriptedReply.Text("one two three four five six seven eight").WithChunkDelay(TimeSpan.FromMilliseconds(400)));
        var http = httpClientKind == "factory" ? Http : null;
        using var client = ModelClients.CreateChatClient(LlmOptionsFor(), http, withBreaker: false);

        await foreach (var update in client.GetStreamingResponseAsync(Question))
        {
            if (update.Text.Length > 0)
            {
                break;
            }
        }

        var request = Assert.Single(Server.ChatRequests);
        await request.Completed.WaitAsync(TimeSpan.FromSeconds(1.5));
        Assert.True(request.ClientAborted);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamStallsLongerThanTimeout_ThrowsTimeout()
    {
        Server.EnqueueChat(ScriptedReply.Text("first then nothing").WithChunkDelay(TimeSpan.FromSeconds(10)));
        using var client = NewChatClient(timeoutSeconds: 1);

        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("first ", text);
        Assert.Equal(ModelFailureKind.Timeout, Assert.IsType<ModelException>(error).Kind);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledBeforeFirstByte_CancellationReachesServer()
    {
        Server.EnqueueChat(ScriptedReply.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var client = NewChatClient();
        using var cts = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            await Server.WaitForRequestAsync();
            await cts.CancelAsync();
        });

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CollectAsync(client.GetStreamingResponseAsync(Question, cancellationToken: cts.Token)));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {started.Elapsed}");
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ClientAborted);
    }
}
