using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace PolicyChat.Core.Models;

/// <summary>
/// What the M.E.AI OpenAI adapter leaves to us for OpenAI-compatible servers (each case has a test against the scripted
/// server, and <c>OpenAiSdkBehaviourTests</c> shows the bare SDK's behaviour): failures become <see cref="ModelException"/>s
/// naming the setting to fix (caller cancellation stays an <see cref="OperationCanceledException"/>); an
/// <c>{"error":…}</c> event inside a 200 stream, which the SDK reads as an empty update, ends the stream with that
/// error (whole answers are the <see cref="ResponseBodyPolicy"/>'s); a stream that ends with neither a finish reason
/// nor an error (a proxy or server that closed early, or a plain body where events were asked for) is a lost
/// connection, not a short answer.
/// </summary>
internal sealed class OpenAiCompatibilityChatClient(IChatClient innerClient, ModelCallContext context) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ModelErrors.MapFailuresAsync(() => base.GetResponseAsync(messages, options, cancellationToken), context, cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var finished = false;
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await ModelErrors.MapFailuresAsync(() => updates.MoveNextAsync().AsTask(), context, cancellationToken))
        {
            // An error event has no choices: the SDK keeps its fields only in the raw update's JSON.
            if (updates.Current.RawRepresentation is StreamingChatCompletionUpdate { ContentUpdate.Count: 0, FinishReason: null, Usage: null } raw
                && ModelErrors.ErrorIn(JsonNode.Parse(ModelReaderWriter.Write(raw, ModelReaderWriterOptions.Json).ToMemory().Span)) is { } error)
            {
                throw ModelErrors.ErrorInBody(error.Message, error.Code, context, midStream: true);
            }
            finished |= updates.Current.FinishReason is not null;
            yield return updates.Current;
        }
        if (!finished)
        {
            throw ModelErrors.ConnectionLost(context);
        }
    }
}
