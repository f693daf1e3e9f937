using System.Diagnostics;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class ResilientChatClientTimeoutTests : ModelTestBase
{
    /// <summary>Timeouts only (no retry, no breaker) around the product's pipeline.</summary>
    private ResilientChatClient NewTimeoutClient(TimeSpan total, TimeSpan firstToken) =>
        new(NewChatClient(timeoutSeconds: 30), firstToken, total, probeInterval: null);

    [Fact]
    public async Task GetStreamingResponseAsync_NoFirstTokenInTime_ThrowsTimeoutAndCancelsRequest()
    {
        Server.EnqueueChat(ScriptedReply.Text("slow start").WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var client = NewTimeoutClient(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));

        var started = Stopwatch.StartNew();
        var (_, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        var timeout = Assert.IsType<ModelException>(error);
        Assert.Equal(ModelFailureKind.Timeout, timeout.Kind);
        Assert.Contains("FirstTokenTimeoutSeconds", timeout.Message, StringComparison.Ordinal);
        Assert.Contains(ChatModel, timeout.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"took {started.Elapsed}");
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ClientAborted);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RoleOnlyChunkThenStall_StillHitsFirstTokenTimeout()
    {
        // NullContent sends a role-only chunk at once; the text follows only after the chunk delay.
        Server.EnqueueChat(ScriptedReply.Quirk(StreamQuirks.NullContent, "late text").WithChunkDelay(TimeSpan.FromSeconds(5)));
        using var client = NewTimeoutClient(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));

        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("", text);
        Assert.Contains("FirstTokenTimeoutSeconds", Assert.IsType<ModelException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AnswerTooLong_ThrowsTotalTimeoutAfterPartialText()
    {
        Server.EnqueueChat(ScriptedReply.Text(string.Join(' ', Enumerable.Range(1, 30).Select(i => "w" + i))).WithChunkDelay(TimeSpan.FromMilliseconds(150)));
        using var client = NewTimeoutClient(TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(1500));

        var started = Stopwatch.StartNew();
        var (text, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        var timeout = Assert.IsType<ModelException>(error);
        Assert.Contains("Llm:TimeoutSeconds", timeout.Message, StringComparison.Ordinal);
        Assert.StartsWith("w1 ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("w30", text, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ClientAborted);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FastAnswer_PassesThroughUnchanged()
    {
        Server.EnqueueChat(ScriptedReply.Text("quick and complete").WithChunkDelay(TimeSpan.FromMilliseconds(20)));
        using var client = NewTimeoutClient(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));

        var (text, updates) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("quick and complete", text);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerCancels_ThrowsOperationCanceledNotTimeout()
    {
        Server.EnqueueChat(ScriptedReply.Text("a b c d e f").WithChunkDelay(TimeSpan.FromMilliseconds(300)));
        using var client = NewTimeoutClient(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource();

        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Question, cancellationToken: cts.Token))
            {
                if (update.Text.Length > 0)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ClientAborted);
    }

    [Fact]
    public async Task GetResponseAsync_SlowServer_ThrowsTotalTimeout()
    {
        Server.EnqueueChat(ScriptedReply.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var client = NewTimeoutClient(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<ModelException>(() => client.GetResponseAsync(Question));

        Assert.Equal(ModelFailureKind.Timeout, error.Kind);
        Assert.Contains("Llm:FirstTokenTimeoutSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatClient_Options_WrapsAdapterWithConfiguredTimeouts()
    {
        using var client = ModelClients.CreateChatClient(new LlmOptions { Endpoint = Server.BaseUrl, Model = ChatModel, TimeoutSeconds = 90, FirstTokenTimeoutSeconds = 30 }, Http);

        var timeout = client.GetService<ResilientChatClient>();
        Assert.NotNull(timeout);
        Assert.Equal(TimeSpan.FromSeconds(90), timeout.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), timeout.FirstTokenTimeout);
        Assert.NotNull(client.GetService<OpenAiCompatibilityChatClient>());
        Assert.Equal("Scripted answer.", (await client.GetResponseAsync(Question)).Text);
    }
}
