using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Models;

/// <summary>
/// SDK pipeline policy for whole (not streamed) answers, for what the OpenAI SDK cannot read: an error object in a 200
/// body (it would fail on a completion without choices) becomes a <see cref="ModelException"/> with the server's
/// message; and embeddings are put in <c>index</c> order, which the SDK does not do. The float arrays sent by servers
/// that ignore <c>encoding_format</c> (Ollama before 0.12.7, see PROTOCOLS.md), where the SDK asks for base64, the SDK
/// (2.15) reads itself: <c>GenerateAsync_ServerListsResultsInReverse_ReordersByIndex(true)</c> checks it. Streams are
/// the <see cref="OpenAiCompatibilityChatClient"/>'s.
/// </summary>
internal sealed class ResponseBodyPolicy(ModelCallContext context) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessAsync(message, pipeline, currentIndex).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex);
        // The transport has buffered a whole body; it can be replaced before the SDK reads it.
        if (message.BufferResponse && message.Response is { IsError: false } response && Rewrite(response.Content) is { } rewritten)
        {
            response.ContentStream = new MemoryStream(rewritten);
            await response.BufferContentAsync(message.CancellationToken);
        }
    }

    /// <summary>The body to read instead of <paramref name="body"/>, or null to read it as it is.</summary>
    private byte[]? Rewrite(BinaryData body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.ToMemory().Span);
        }
        catch (JsonException)
        {
            return null; // the SDK reports it
        }
        if (ModelErrors.ErrorIn(root) is { } error)
        {
            throw ModelErrors.ErrorInBody(error.Message, error.Code, context, midStream: false);
        }
        if (root?["data"] is not JsonArray data || !data.Any(d => d?["embedding"] is not null))
        {
            return null;
        }
        var ordered = data.Select((item, i) => (Index: item?["index"]?.GetValue<int>() ?? i, Item: item)).OrderBy(x => x.Index).Select(x => x.Item).ToArray();
        data.Clear();
        root["data"] = new JsonArray(ordered);
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}
