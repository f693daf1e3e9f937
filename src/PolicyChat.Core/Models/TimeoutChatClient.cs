using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace PolicyChat.Core.Models;

/// <summary>
/// Bounds a chat client in time: the first streamed text must arrive within <see cref="FirstTokenTimeout"/> and the
/// whole answer within <see cref="TotalTimeout"/>. A non-streamed call shows nothing before it is complete, so it gets
/// <see cref="FirstTokenTimeout"/> (PolicyChat streams answers; it makes only one-line calls without streaming:
/// follow-up rewriting, query translation, probes). On expiry
/// the inner call is cancelled (closing its connection) and a <see cref="ModelUnavailableException"/> of kind
/// <see cref="ModelFailureKind.Timeout"/> is thrown; cancellation by the caller stays an
/// <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>
/// "First token" is the first update carrying text or a finish reason; updates that carry neither (a role-only
/// opening chunk, reasoning the SDK does not surface) do not count, so a model that stalls after its preamble still
/// times out.
/// </remarks>
public sealed class TimeoutChatClient : DelegatingChatClient
{
    public TimeoutChatClient(IChatClient innerClient, TimeSpan totalTimeout, TimeSpan firstTokenTimeout)
        : base(innerClient)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(totalTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstTokenTimeout, TimeSpan.Zero);
        TotalTimeout = totalTimeout;
        FirstTokenTimeout = firstTokenTimeout < totalTimeout ? firstTokenTimeout : totalTimeout;
    }

    public TimeoutChatClient(IChatClient innerClient, LlmOptions options)
        : this(innerClient, TimeSpan.FromSeconds(Math.Max(1, options?.TimeoutSeconds ?? 0)), TimeSpan.FromSeconds(Math.Max(1, options?.FirstTokenTimeoutSeconds ?? 0)))
    {
    }

    public TimeSpan TotalTimeout { get; }

    public TimeSpan FirstTokenTimeout { get; }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FirstTokenTimeout);
        try
        {
            return await base.GetResponseAsync(messages, options, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw FirstTokenExpired(options, ex);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        timeout.CancelAfter(FirstTokenTimeout);
        var gotFirstToken = false;

        await using var updates = base.GetStreamingResponseAsync(messages, options, timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }
                update = updates.Current;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                throw gotFirstToken ? TotalExpired(options, ex) : FirstTokenExpired(options, ex);
            }

            if (!gotFirstToken && (update.FinishReason is not null || update.Contents.OfType<TextContent>().Any(t => t.Text.Length > 0)))
            {
                gotFirstToken = true;
                var remaining = TotalTimeout - Stopwatch.GetElapsedTime(started);
                timeout.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            }
            yield return update;
        }
    }

    private ModelUnavailableException FirstTokenExpired(ChatOptions? options, Exception inner) =>
        new(ModelFailureKind.Timeout,
            $"The model{ModelName(options)} sent no text within {ModelErrors.Seconds(FirstTokenTimeout)} ({LlmOptions.SectionName}:FirstTokenTimeoutSeconds); it may still be loading.",
            inner);

    private ModelUnavailableException TotalExpired(ChatOptions? options, Exception inner) =>
        new(ModelFailureKind.Timeout,
            $"The model{ModelName(options)} did not finish its answer within {ModelErrors.Seconds(TotalTimeout)} ({LlmOptions.SectionName}:TimeoutSeconds).",
            inner);

    private string ModelName(ChatOptions? options)
    {
        var model = options?.ModelId ?? (GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId;
        return model is null ? "" : $" '{model}'";
    }
}
