using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace PolicyChat.Core.Models;

/// <summary>
/// Bounds a chat client in time and keeps a failing model from costing every question its timeout, on a Polly
/// <see cref="ResiliencePipeline"/>. The first text must arrive within <see cref="FirstTokenTimeout"/> (a non-streamed
/// call shows nothing before it is complete, so it gets that bound too) and a streamed answer must end within
/// <see cref="TotalTimeout"/>. With a probe interval: a call that fails before its first text with a failure a second
/// try may fix (refused, dropped, 5xx) is retried once, on a fresh request; a transient failure that remains (a
/// timeout included: a hung model is not retried) isolates the circuit, so calls fail at once with
/// <see cref="ModelFailureKind.CircuitOpen"/> (callers answer extractively) while a background probe asks the model for
/// one token every interval; the first answer closes it. Failures the server cannot recover from by itself (bad
/// request, unknown model, rejected key) and failures after the first text do not open it.
/// </summary>
/// <remarks>
/// Polly's breaker opens on a failure ratio over at least two calls; one hung call must be enough here, so the
/// circuit is isolated through its <see cref="CircuitBreakerManualControl"/>.
/// </remarks>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerManualControl _circuit = new();
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly TimeSpan? _probeInterval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private ModelException? _openedBy;

    /// <param name="probeInterval">Null: timeouts only (no retry, no circuit breaker).</param>
    public ResilientChatClient(IChatClient innerClient, TimeSpan firstTokenTimeout, TimeSpan totalTimeout, TimeSpan? probeInterval, ILogger? logger = null)
        : base(innerClient)
    {
        TotalTimeout = totalTimeout;
        FirstTokenTimeout = firstTokenTimeout < totalTimeout ? firstTokenTimeout : totalTimeout;
        _probeInterval = probeInterval;
        _logger = logger ?? NullLogger.Instance;
        var builder = new ResiliencePipelineBuilder();
        if (probeInterval is not null)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = _circuit, StateProvider = _state, ShouldHandle = _ => PredicateResult.False() })
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = 1,
                    Delay = TimeSpan.Zero,
                    ShouldHandle = new PredicateBuilder().Handle<ModelException>(e => e.Kind is ModelFailureKind.Unreachable or ModelFailureKind.ServerError),
                    OnRetry = args =>
                    {
                        _logger.LogInformation("Retrying the model call once after: {Reason}", args.Outcome.Exception?.Message);
                        return default;
                    },
                });
        }
        _pipeline = builder.AddTimeout(FirstTokenTimeout).Build();
    }

    public TimeSpan TotalTimeout { get; }

    public TimeSpan FirstTokenTimeout { get; }

    /// <summary>True while calls are refused and the model is being probed.</summary>
    public bool IsOpen => _state.CircuitState != CircuitState.Closed;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        ExecuteAsync(token => new ValueTask<ChatResponse>(base.GetResponseAsync(messages, options, token)), options, cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        CancellationTokenSource? own = null; // the stream's token: Polly's is only lent for the first text
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            // Each attempt ends the one before and reads until the first update with text or a finish reason (a
            // role-only chunk is no answer), or to the end of a stream without any.
            var first = await ExecuteAsync(async token =>
            {
                await (updates?.DisposeAsync() ?? default);
                own?.Dispose();
                own = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                updates = base.GetStreamingResponseAsync(messages, options, own.Token).GetAsyncEnumerator(own.Token);
                await using var timeout = token.Register(own.Cancel);
                var read = new List<ChatResponseUpdate>();
                while (await updates.MoveNextAsync())
                {
                    read.Add(updates.Current);
                    if (updates.Current.FinishReason is not null || updates.Current.Contents.OfType<TextContent>().Any(t => t.Text.Length > 0))
                    {
                        break;
                    }
                }
                return read;
            }, options, cancellationToken);

            var remaining = TotalTimeout - Stopwatch.GetElapsedTime(started);
            own!.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            foreach (var update in first)
            {
                yield return update;
            }
            while (true)
            {
                try
                {
                    // After the end of the stream (no text at all) this is false again.
                    if (!await updates!.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && own.IsCancellationRequested)
                {
                    throw new ModelException(ModelFailureKind.Timeout,
                        $"The model{ModelName(options)} did not finish its answer within {ModelErrors.Seconds(TotalTimeout)} ({LlmOptions.SectionName}:TimeoutSeconds).", ex);
                }
                yield return updates.Current;
            }
        }
        finally
        {
            await (updates?.DisposeAsync() ?? default);
            own?.Dispose();
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

    private async Task<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> call, ChatOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(call, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw await FailedAsync(new ModelException(ModelFailureKind.Timeout,
                $"The model{ModelName(options)} sent no text within {ModelErrors.Seconds(FirstTokenTimeout)} ({LlmOptions.SectionName}:FirstTokenTimeoutSeconds); it may still be loading.", ex));
        }
        catch (IsolatedCircuitException)
        {
            throw new ModelException(ModelFailureKind.CircuitOpen,
                $"The model failed recently and is being probed every {_probeInterval?.TotalSeconds} s ({LlmOptions.SectionName}:ProbeIntervalSeconds); answering without it until it responds.", _openedBy);
        }
        catch (ModelException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw await FailedAsync(ex);
        }
    }

    /// <summary>Opens the circuit for a transient failure (when there is one) and returns the failure.</summary>
    private async Task<ModelException> FailedAsync(ModelException ex)
    {
        if (_probeInterval is { } interval && ex.IsTransient && ex.Kind != ModelFailureKind.CircuitOpen && !_disposed.IsCancellationRequested
            && Interlocked.CompareExchange(ref _openedBy, new ModelException(ex.Kind, ex.Message), null) is null)
        {
            _logger.LogWarning("Model circuit opened: {Reason}", ex.Message);
            await _circuit.IsolateAsync();
            _ = Task.Run(() => ProbeAsync(interval, _disposed.Token));
        }
        return ex;
    }

    /// <summary>Asks the model for one token every interval until it answers; disposal ends it, cancelled (nothing awaits it).</summary>
    private async Task ProbeAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(interval, cancellationToken);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(FirstTokenTimeout);
                await base.GetResponseAsync([new ChatMessage(ChatRole.User, "Reply with OK.")], new ChatOptions { MaxOutputTokens = 1, Temperature = 0 }, timeout.Token);
                await _circuit.CloseAsync(cancellationToken);
                _openedBy = null;
                _logger.LogInformation("Model circuit closed: the model answered a probe.");
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogDebug("Model probe failed: {Reason}", ex.Message);
            }
        }
    }

    private string ModelName(ChatOptions? options) =>
        (options?.ModelId ?? this.GetService<ChatClientMetadata>()?.DefaultModelId) is { } model ? $" '{model}'" : "";
}
