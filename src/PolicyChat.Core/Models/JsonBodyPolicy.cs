using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Models;

/// <summary>
/// SDK pipeline policy for two quirks the OpenAI SDK does not handle: a 200 response whose JSON body is an error object
/// (llama-server, vLLM; the SDK would read it as an empty completion), and a plain JSON body where an event stream was
/// asked for (the SDK would read it as a stream with no events). Both become <see cref="ModelException"/>s.
/// </summary>
internal sealed class JsonBodyPolicy(ModelCallContext context) : PipelinePolicy
{
    private const int MaxBody = 64 * 1024;

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        Check(message, message.BufferResponse ? null : ReadStart(message, default).GetAwaiter().GetResult());
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex);
        Check(message, message.BufferResponse ? null : await ReadStart(message, message.CancellationToken));
    }

    /// <summary>The start of an unbuffered 200 body that is not an event stream; null when it is one.</summary>
    private static async Task<BinaryData?> ReadStart(PipelineMessage message, CancellationToken cancellationToken)
    {
        if (message.Response is not { IsError: false, ContentStream: { } stream } response
            || (response.Headers.TryGetValue("Content-Type", out var type) && type?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true))
        {
            return null;
        }
        var body = new byte[MaxBody];
        var length = await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken);
        return BinaryData.FromBytes(body.AsMemory(0, length));
    }

    private void Check(PipelineMessage message, BinaryData? notAStream)
    {
        if (message.Response is not { IsError: false } response)
        {
            return;
        }
        var body = notAStream ?? (message.BufferResponse ? response.Content : null);
        if (body is null || body.ToMemory().Length == 0 || body.ToMemory().Span[0] != (byte)'{')
        {
            if (notAStream is not null)
            {
                throw ModelErrors.InvalidResponse(context, "a plain body where an event stream was asked for (stream: true)");
            }
            return;
        }
        try
        {
            var root = JsonNode.Parse(body);
            if (root?["choices"] is null && root?["data"] is null && ModelErrors.TryGetErrorMessage(root, out var error, out var code))
            {
                throw ModelErrors.ErrorInBody(error, code, context);
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the SDK reports it.
        }
        if (notAStream is not null)
        {
            throw ModelErrors.InvalidResponse(context, "a plain body where an event stream was asked for (stream: true)");
        }
    }
}
