using System.Diagnostics;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class ChatClientPipelineErrorTests : ModelTestBase
{
    public static TheoryData<bool> StreamingModes => new() { true, false };

    private static async Task<Exception> CallAsync(IChatClient client, bool streaming, CancellationToken cancellationToken = default)
    {
        try
        {
            if (streaming)
            {
                await foreach (var _ in client.GetStreamingResponseAsync(Question, cancellationToken: cancellationToken))
                {
                }
            }
            else
            {
                await client.GetResponseAsync(Question, cancellationToken: cancellationToken);
            }
        }
        catch (Exception ex)
        {
            return ex;
        }
        throw new Xunit.Sdk.XunitException("The call succeeded; a failure was expected.");
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_UnknownModel_ThrowsModelNotFoundWithPullHint(bool streaming)
    {
        Server.RejectUnknownModels = true;
        using var client = NewChatClient(model: "qwen3:8b");

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming));

        Assert.Equal(ModelFailureKind.ModelNotFound, error.Kind);
        Assert.StartsWith("model 'qwen3:8b' not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("pull it first", error.Message, StringComparison.Ordinal);
        Assert.Contains("Llm:Model", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_ServerLoadingModel_ThrowsOverloadedLoadingWithoutRetrying(bool streaming)
    {
        Server.EnqueueChat(ScriptedReply.Loading(), ScriptedReply.Loading(), ScriptedReply.Loading(), ScriptedReply.Loading());
        using var client = NewChatClient();

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming));

        Assert.Equal(ModelFailureKind.Overloaded, error.Kind);
        Assert.Contains("still loading the model (503)", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        Assert.Single(Server.ChatRequests);
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_FlatVllmError500_ThrowsServerErrorWithServerText(bool streaming)
    {
        Server.EnqueueChat(ScriptedReply.FlatError(500, "Engine loop has died", "InternalServerError"));
        using var client = NewChatClient();

        var error = await CallAsync(client, streaming);

        var model = Assert.IsType<ModelException>(error);
        Assert.Equal(ModelFailureKind.ServerError, model.Kind);
        Assert.Contains("Engine loop has died", model.Message, StringComparison.Ordinal);
        Assert.Single(Server.ChatRequests);
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_ContextTooLong400_ThrowsBadRequest(bool streaming)
    {
        Server.EnqueueChat(ScriptedReply.FlatError(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."));
        using var client = NewChatClient();

        var model = Assert.IsType<ModelException>(await CallAsync(client, streaming));

        Assert.Equal(ModelFailureKind.BadRequest, model.Kind);
        Assert.False(model.IsTransient);
        Assert.Contains("maximum context length is 8192", model.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_WrongApiKey_ThrowsUnauthorizedNamingTheSetting(bool streaming)
    {
        Server.RequiredApiKey = "right";
        using var client = NewChatClient(apiKey: "wrong");

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming));

        Assert.Equal(ModelFailureKind.Unauthorized, error.Kind);
        Assert.Contains("Llm:ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_ConnectionRefused_ThrowsUnreachable(bool streaming)
    {
        var url = ClosedPortUrl();
        using var client = ModelClients.CreateChatClient(new LlmOptions { Endpoint = url, Model = ChatModel, TimeoutSeconds = 5 }, Http, withBreaker: false);

        var started = Stopwatch.StartNew();
        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming));

        Assert.Equal(ModelFailureKind.Unreachable, error.Kind);
        Assert.Contains("connection refused", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(3), $"no retries expected; took {started.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(StreamingModes))]
    public async Task Call_SlowServer_ThrowsTimeoutAfterNetworkTimeoutWithoutRetrying(bool streaming)
    {
        Server.EnqueueChat(ScriptedReply.Text("too late").WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var client = NewChatClient(timeoutSeconds: 1);

        var started = Stopwatch.StartNew();
        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming));

        Assert.Equal(ModelFailureKind.Timeout, error.Kind);
        Assert.Contains("Llm:FirstTokenTimeoutSeconds", error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ClientAborted, "the timed-out request should be cancelled on the wire");
    }

    [Fact]
    public async Task GetResponseAsync_ConnectionDropped_ThrowsServerErrorSayingSo()
    {
        Server.EnqueueChat(ScriptedReply.Drop("A partial body"));
        using var client = NewChatClient();

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming: false));

        Assert.Equal(ModelFailureKind.ServerError, error.Kind);
        Assert.Contains("dropped before the answer was complete", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_CancelledWhileWaiting_CancellationReachesServer()
    {
        Server.EnqueueChat(ScriptedReply.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var client = NewChatClient();
        using var cts = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            await Server.WaitForRequestAsync();
            await cts.CancelAsync();
        });

        var error = await CallAsync(client, streaming: false, cts.Token);

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        var request = await FinishedAsync(Assert.Single(Server.ChatRequests));
        Assert.True(request.ClientAborted);
    }

    [Fact]
    public async Task GetResponseAsync_ErrorObjectWith200_ThrowsServerError()
    {
        Server.EnqueueChat(ScriptedReply.Json("{\"error\":{\"message\":\"llama_decode failed\",\"type\":\"server_error\"}}"));
        using var client = NewChatClient();

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming: false));

        Assert.Equal(ModelFailureKind.ServerError, error.Kind);
        Assert.Contains("llama_decode failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NotJson_ThrowsInvalidResponse()
    {
        Server.EnqueueChat(ScriptedReply.Status(200, "<html>proxy login</html>", "text/html"));
        using var client = NewChatClient();

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming: false));

        Assert.Equal(ModelFailureKind.InvalidResponse, error.Kind);
    }

    [Fact]
    public async Task Call_WrongEndpointPath_ThrowsUnreachableNamingEndpointSetting()
    {
        using var client = ModelClients.CreateChatClient(new LlmOptions { Endpoint = Server.BaseUrl + "/not-here", Model = ChatModel }, Http, withBreaker: false);

        var error = Assert.IsType<ModelException>(await CallAsync(client, streaming: true));

        Assert.Equal(ModelFailureKind.Unreachable, error.Kind);
        Assert.Contains("Llm:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelException_UserMessages_AreBilingualAndHideDetails()
    {
        var error = new ModelException(ModelFailureKind.Timeout, "The model server at http://10.0.0.5:11434 did not answer");

        Assert.DoesNotContain("10.0.0.5", error.UserMessageEnglish, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.5", error.UserMessageArabic, StringComparison.Ordinal);
        Assert.Contains("too long", error.UserMessageEnglish, StringComparison.Ordinal);
        Assert.Contains(error.UserMessageArabic, c => c is >= '\u0600' and <= '\u06FF');
    }
}
