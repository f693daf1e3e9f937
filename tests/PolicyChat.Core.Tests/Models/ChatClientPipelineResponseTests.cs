using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class ChatClientPipelineResponseTests : ModelTestBase
{
    [Fact]
    public async Task GetResponseAsync_Text_ReturnsAssistantMessageFinishReasonUsageAndModel()
    {
        Server.EnqueueChat(ScriptedReply.Text("الجواب هو نعم [1]."));
        using var client = NewChatClient();

        var response = await client.GetResponseAsync(Question);

        Assert.Equal("الجواب هو نعم [1].", response.Text);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ChatModel, response.ModelId);
        Assert.NotNull(response.Usage);
        Assert.Equal(4, response.Usage.OutputTokenCount);
        var request = Assert.Single(Server.ChatRequests);
        Assert.False(request.Stream);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownFieldsAndNoUsage_Tolerated()
    {
        Server.EnqueueChat(ScriptedReply.Quirk(StreamQuirks.UnknownFields, "Fine.", UsageMode.Absent));
        using var client = NewChatClient();

        var response = await client.GetResponseAsync(Question);

        Assert.Equal("Fine.", response.Text);
        Assert.Null(response.Usage);
    }

    [Fact]
    public async Task GetResponseAsync_NullContent_ReturnsEmptyText()
    {
        Server.EnqueueChat(ScriptedReply.Json(
            "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"hmm\"},\"finish_reason\":\"length\"}]}"));
        using var client = NewChatClient();

        var response = await client.GetResponseAsync(Question);

        Assert.Equal("", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public void GetService_Metadata_DescribesEndpointAndModel()
    {
        using var client = NewChatClient();

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal(ChatModel, metadata.DefaultModelId);
        Assert.Equal(new Uri(Server.BaseUrl + "/v1"), metadata.ProviderUri);
    }

    [Fact]
    public void Constructor_DisabledOptions_ThrowsNamingSettings()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelClients.CreateChatClient(new LlmOptions { Model = "" }, Http, withBreaker: false));

        Assert.Contains("Llm:Model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChatClient_EndpointWithV1Suffix_StillReachesServer()
    {
        using var client = ModelClients.CreateChatClient(new LlmOptions { Endpoint = Server.BaseUrl + "/v1/", Model = ChatModel }, Http);

        var response = await client.GetResponseAsync(Question);

        Assert.Equal("Scripted answer.", response.Text);
        Assert.Equal(ScriptedOpenAiServer.ChatPath, Assert.Single(Server.ChatRequests).Path);
    }
}
