using System.ClientModel.Primitives;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Models;

/// <summary>
/// SDK pipeline policy for whole (not streamed) answers, for what the OpenAI SDK cannot read: an error object in a 200
/// body (it would fail on a completion without choices) becomes a <see cref="ModelException"/> with the server's
/// message; and embeddings are rewritten to base64 vectors in <c>index</c> order, since the SDK always asks for base64
/// but cannot read the float arrays that servers which ignore <c>encoding_format</c> send (Ollama before 0.12.7, see
/// PROTOCOLS.md), nor does it order results by their index. Streams are the <see cref="OpenAiCompatibilityChatClient"/>'s.
/// </summary>
internal sealed class ResponseBodyPolicy(ModelCallContext context) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessAsync(message, pipeline, currentIndex).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        // Unbuffered, so a whole body can be replaced before the SDK reads it.
        var whole = message.BufferResponse;
        message.BufferResponse = false;
        await ProcessNextAsync(message, pipeline, currentIndex);
        message.BufferResponse = whole;
        if (!whole || message.Response is not { ContentStream: { } stream } response)
        {
            return;
        }
        using var body = new MemoryStream();
        await stream.CopyToAsync(body, message.CancellationToken);
        response.ContentStream = new MemoryStream(response.IsError ? body.ToArray() : Rewrite(body.ToArray()));
        await response.BufferContentAsync(message.CancellationToken);
    }

    private byte[] Rewrite(byte[] body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return body; // the SDK reports it
        }
        if (ModelErrors.ErrorIn(root) is { } error)
        {
            throw ModelErrors.ErrorInBody(error.Message, error.Code, context, midStream: false);
        }
        if (root?["data"] is not JsonArray data || !data.Any(d => d?["embedding"] is not null))
        {
            return body;
        }
        var items = data.Select((item, i) => (Index: item?["index"]?.GetValue<int>() ?? i, Item: item!)).OrderBy(x => x.Index).ToList();
        data.Clear();
        foreach (var (_, item) in items)
        {
            if (item["embedding"] is JsonArray floats)
            {
                item["embedding"] = Convert.ToBase64String(MemoryMarshal.AsBytes(floats.Select(f => f!.GetValue<float>()).ToArray().AsSpan()));
            }
            data.Add(item);
        }
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}
