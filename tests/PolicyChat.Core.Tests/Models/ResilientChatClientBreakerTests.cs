using System.Diagnostics;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class ResilientChatClientBreakerTests : ModelTestBase
{
    private IChatClient NewBreakerClient(int firstTokenSeconds = 1, int probeSeconds = 1) =>
        ModelClients.CreateChatClient(new LlmOptions
        {
            Endpoint = Server.BaseUrl,
            Model = ChatModel,
            TimeoutSeconds = 30,
            FirstTokenTimeoutSeconds = firstTokenSeconds,
            ProbeIntervalSeconds = probeSeconds,
        }, Http);

    [Fact]
    public async Task Streaming_HungModel_CostsOneFirstTokenTimeoutThenFailsFastUntilAProbeAnswers()
    {
        var hung = true;
        Server.ChatHandler = _ => hung ? ScriptedReply.Text("never").WithFirstByteDelay(TimeSpan.FromSeconds(60)) : ScriptedReply.Text("OK");
        using var client = NewBreakerClient(probeSeconds: 1);
        var breaker = client.GetService<ResilientChatClient>()!;

        var clock = Stopwatch.StartNew();
        var (_, first) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));
        var firstTook = clock.Elapsed;
        var fast = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            clock.Restart();
            var (_, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));
            fast.Add(clock.Elapsed);
            Assert.Equal(ModelFailureKind.CircuitOpen, Assert.IsType<ModelException>(error).Kind);
        }

        Assert.Equal(ModelFailureKind.Timeout, Assert.IsType<ModelException>(first).Kind);
        Assert.InRange(firstTook, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2));
        Assert.All(fast, t => Assert.True(t < TimeSpan.FromMilliseconds(500), $"took {t}"));
        Assert.True(breaker.IsOpen);
        Assert.Single(Server.ChatRequests, r => r.Stream);

        hung = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (breaker.IsOpen && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.False(breaker.IsOpen, "a probe that gets an answer closes the circuit");
        var probe = Server.ChatRequests.First(r => !r.Stream);
        Assert.Equal(1, probe.Json!["max_tokens"]!.GetValue<int>());
        var (text, _) = await CollectAsync(client.GetStreamingResponseAsync(Question));
        Assert.Equal("OK", text);
    }

    [Fact]
    public async Task Streaming_ConnectionDroppedBeforeAnyText_IsRetriedOnceAndSucceeds()
    {
        Server.EnqueueChat(ScriptedReply.Drop(""), ScriptedReply.Text("Second try [1]."));
        using var client = NewBreakerClient(firstTokenSeconds: 5);

        var (text, _) = await CollectAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal("Second try [1].", text);
        Assert.Equal(2, Server.ChatRequests.Count);
        Assert.True(Server.ChatRequests[0].ServerDropped);
        Assert.False(client.GetService<ResilientChatClient>()!.IsOpen);
    }

    [Fact]
    public async Task NonStreaming_ServerErrorTwice_IsRetriedOnceThenOpensTheCircuit()
    {
        Server.EnqueueChat(ScriptedReply.Error(500, "boom"), ScriptedReply.Error(500, "boom again"), ScriptedReply.Text("unused"));
        using var client = NewBreakerClient(firstTokenSeconds: 5, probeSeconds: 60);

        var error = await Assert.ThrowsAsync<ModelException>(() => client.GetResponseAsync(Question));

        Assert.Contains("boom again", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Server.ChatRequests.Count);
        Assert.True(client.GetService<ResilientChatClient>()!.IsOpen);
    }

    [Fact]
    public async Task Streaming_UnknownModel_IsNeitherRetriedNorOpensTheCircuit()
    {
        Server.RejectUnknownModels = true;
        using var client = ModelClients.CreateChatClient(new LlmOptions { Endpoint = Server.BaseUrl, Model = "missing:1b", TimeoutSeconds = 5, FirstTokenTimeoutSeconds = 5 }, Http);

        var (_, error) = await CollectUntilErrorAsync(client.GetStreamingResponseAsync(Question));

        Assert.Equal(ModelFailureKind.ModelNotFound, Assert.IsType<ModelException>(error).Kind);
        Assert.Single(Server.ChatRequests);
        Assert.False(client.GetService<ResilientChatClient>()!.IsOpen);
    }
}
