using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

/// <summary>
/// Characterizes the bare OpenAI SDK (no PolicyChat guard) against the same scripted streams, to show why
/// <see cref="PolicyChat.Core.Models.OpenAiCompatibilityChatClient"/> exists. If an SDK upgrade changes these, revisit it.
/// </summary>
public sealed class OpenAiSdkBehaviourTests : ModelTestBase
{
    private ChatClient BareSdkClient() => new(ChatModel, new ApiKeyCredential("unused"), new OpenAIClientOptions
    {
        Endpoint = new Uri(Server.BaseUrl + "/v1"),
        RetryPolicy = new ClientRetryPolicy(0),
        Transport = new HttpClientPipelineTransport(Http),
    });

    private static async Task<string> DrainAsync(AsyncCollectionResult<StreamingChatCompletionUpdate> stream)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var update in stream)
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }
        return text.ToString();
    }

    [Fact]
    public async Task BareSdk_ErrorObjectMidStream_EndsQuietlyWithPartialText()
    {
        Server.EnqueueChat(ScriptedReply.ErrorMidStream("Partial ", "CUDA error"));

        var text = await DrainAsync(BareSdkClient().CompleteChatStreamingAsync([new UserChatMessage("q")]));

        Assert.Equal("Partial ", text);
    }

    [Fact]
    public async Task BareSdk_StreamEndsWithoutFinishOrDone_EndsQuietly()
    {
        Server.EnqueueChat(ScriptedReply.RawSse(
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Half\"},\"finish_reason\":null}]}\n\n"));

        var text = await DrainAsync(BareSdkClient().CompleteChatStreamingAsync([new UserChatMessage("q")]));

        Assert.Equal("Half", text);
    }

    [Fact]
    public async Task BareSdk_AllTolerableQuirks_ParsesText()
    {
        Server.EnqueueChat(ScriptedReply.Quirk(PolicyChat.Testing.StreamQuirks.AllTolerable, "All fine here."));

        var text = await DrainAsync(BareSdkClient().CompleteChatStreamingAsync([new UserChatMessage("q")]));

        Assert.Equal("All fine here.", text);
    }
}
