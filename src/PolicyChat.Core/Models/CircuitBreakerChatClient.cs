using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PolicyChat.Core.Models;

/// <summary>
/// Keeps a failing model from costing every question its timeout. A call that fails before its first text with a
/// failure a second try may fix (refused, dropped, 5xx) is retried once, on a fresh request; a failure that remains
/// (a timeout included: a hung model is not retried) opens the circuit. While open, calls fail at once with
/// <see cref="ModelFailureKind.CircuitOpen"/> (callers answer extractively) and a background probe asks the model for
/// one token every <see cref="LlmOptions.ProbeIntervalSeconds"/>; the first answer closes the circuit.
/// Failures the model server cannot recover from by itself (bad request, unknown model, rejected key) do not open it,
/// nor does a failure after the model has started answering.
/// </summary>
public sealed class CircuitBreakerChatClient(IChatClient innerClient, LlmOptions options, ILogger<CircuitBreakerChatClient>? logger = null)
    : DelegatingChatClient(innerClient)
{
    private readonly ILogger _logger = logger ?? NullLogger<CircuitBreakerChatClient>.Instance;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _lock = new();

    /// <summary>True while calls are refused and the model is being probed.</summary>
    public bool IsOpen => _openedBy is not null;

    /// <summary>The failure that opened the circuit (inner exception of the <see cref="ModelFailureKind.CircuitOpen"/> errors).</summary>
    private ModelException? _openedBy;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfOpen();
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (ModelException ex) when (!cancellationToken.IsCancellationRequested && !(attempt == 1 && Retryable(ex)))
            {
                Failed(ex);
                throw;
            }
            catch (ModelException ex) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogInformation("Retrying the model call once after: {Reason}", ex.Message);
            }
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var gotText = false;
        for (var attempt = 1; ; attempt++)
        {
            ThrowIfOpen();
            await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (ModelException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    if (gotText)
                    {
                        throw; // The model answered: a failure mid-answer is the caller's to handle, not a reason to stop asking.
                    }
                    if (attempt > 1 || !Retryable(ex))
                    {
                        Failed(ex);
                        throw;
                    }
                    _logger.LogInformation("Retrying the model call once after: {Reason}", ex.Message);
                    break;
                }
                gotText |= updates.Current.Contents.OfType<TextContent>().Any(t => t.Text.Length > 0);
                yield return updates.Current;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed.Cancel();
            _disposed.Dispose();
        }
        base.Dispose(disposing);
    }

    private static bool Retryable(ModelException ex) =>
        ex.Kind is ModelFailureKind.Unreachable or ModelFailureKind.ConnectionLost or ModelFailureKind.ServerError;

    private void ThrowIfOpen()
    {
        if (_openedBy is { } cause)
        {
            throw new ModelUnavailableException(ModelFailureKind.CircuitOpen,
                $"The model failed recently and is being probed every {options.ProbeIntervalSeconds} s ({LlmOptions.SectionName}:ProbeIntervalSeconds); answering without it until it responds.", cause);
        }
    }

    private void Failed(ModelException ex)
    {
        if (!ex.IsTransient || ex.Kind == ModelFailureKind.CircuitOpen)
        {
            return;
        }
        lock (_lock)
        {
            if (IsOpen || _disposed.IsCancellationRequested)
            {
                return;
            }
            _openedBy = new ModelException(ex.Kind, ex.Message, null, ex.StatusCode); // without its stack and chain: logged with every refused call
            _logger.LogWarning("Model circuit opened: {Reason}", ex.Message);
            _ = Task.Run(() => ProbeAsync(_disposed.Token));
        }
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.ProbeIntervalSeconds), cancellationToken);
                await base.GetResponseAsync([new ChatMessage(ChatRole.User, "Reply with OK.")],
                    new ChatOptions { MaxOutputTokens = 1, Temperature = 0 }, cancellationToken);
                _openedBy = null;
                _logger.LogInformation("Model circuit closed: the model answered a probe.");
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogDebug("Model probe failed: {Reason}", ex.Message);
            }
        }
    }
}
