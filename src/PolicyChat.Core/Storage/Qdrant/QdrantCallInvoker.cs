using System.Net.Security;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using QdrantGrpc = Qdrant.Client.Grpc;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>
/// The gRPC call path under <see cref="global::Qdrant.Client.QdrantClient"/>: a channel per peer of <see cref="QdrantOptions.Url"/>,
/// the <c>api-key</c> header, a deadline per attempt, Polly retries on Unavailable, ResourceExhausted and DeadlineExceeded
/// (an unreachable peer passes the next attempt to the next peer at once), and failures as <see cref="QdrantException"/>s
/// that name the setting to check. The store makes unary calls only.
/// </summary>
internal sealed class QdrantCallInvoker : CallInvoker, IDisposable
{
    private static readonly StatusCode[] s_transient = [StatusCode.Unavailable, StatusCode.ResourceExhausted, StatusCode.DeadlineExceeded];

    private readonly (Uri Address, GrpcChannel Channel)[] _peers;
    private readonly QdrantOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private int _current;

    public QdrantCallInvoker(QdrantOptions options, ILogger logger, Func<Uri, HttpMessageHandler>? handlerFactory = null)
    {
        _options = options;
        _peers = options.Peers().Select(uri => (uri, GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handlerFactory?.Invoke(uri) ?? CreateHandler(options),
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            // A peer that comes back is tried again within seconds (gRPC's default backoff grows to two minutes).
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
            MaxReconnectBackoff = TimeSpan.FromSeconds(5),
        }))).ToArray();
        var retries = options.Retries + _peers.Length - 1;
        _pipeline = retries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => s_transient.Contains(e.StatusCode)),
            MaxRetryAttempts = retries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            // An attempt that fails over goes to a peer not tried yet: no reason to wait.
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.AttemptNumber < _peers.Length - 1 ? TimeSpan.Zero : null),
            OnRetry = args =>
            {
                logger.LogWarning("Qdrant call failed ({Status}); retry {Attempt} of {Max}", (args.Outcome.Exception as RpcException)?.StatusCode, args.AttemptNumber + 1, retries);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    /// <summary>The peer calls go to now.</summary>
    public Uri CurrentPeer => _peers[Volatile.Read(ref _current)].Address;

    /// <summary>Waits (bounded by <see cref="QdrantOptions.ReadyTimeoutSeconds"/>) until a peer answers Qdrant's gRPC health check; returns its version and calls start there.</summary>
    public async Task<string> WaitForHealthAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(_options.ReadyTimeoutSeconds);
        for (var delay = TimeSpan.FromMilliseconds(50); ; delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000)))
        {
            var problems = new List<string>();
            for (var i = 0; i < _peers.Length; i++)
            {
                try
                {
                    var reply = await new QdrantGrpc.Qdrant.QdrantClient(_peers[i].Channel).HealthCheckAsync(new QdrantGrpc.HealthCheckRequest(), Headers(null),
                        DateTime.UtcNow.AddSeconds(Math.Min(_options.TimeoutSeconds, 5)), cancellationToken);
                    Volatile.Write(ref _current, i);
                    return reply.Version;
                }
                catch (RpcException ex) when (ex.StatusCode is not (StatusCode.Unauthenticated or StatusCode.PermissionDenied))
                {
                    problems.Add($"{_peers[i].Address}: {ex.StatusCode} {ex.Status.Detail}");
                }
                catch (RpcException ex)
                {
                    throw Translate("HealthCheck", ex, _peers[i].Address);
                }
            }
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new QdrantException($"Qdrant did not answer its gRPC health check within {_options.ReadyTimeoutSeconds} s ({string.Join("; ", problems)}). Check that " +
                    $"Qdrant runs and that Qdrant:Url names its gRPC port {QdrantOptions.GrpcPort}, or raise Qdrant:ReadyTimeoutSeconds.", StatusCode.Unavailable);
            }
            await Task.Delay(delay < remaining ? delay : remaining, cancellationToken);
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        new(CallAsync(method, host, options, request), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    private async Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class
    {
        var peer = 0;
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                peer = Volatile.Read(ref _current);
                try
                {
                    var attempt = options.WithHeaders(Headers(options.Headers)).WithDeadline(DateTime.UtcNow.AddSeconds(_options.TimeoutSeconds)).WithCancellationToken(token);
                    return await _peers[peer].Channel.CreateCallInvoker().AsyncUnaryCall(method, host, attempt, request);
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled && !token.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref _current, (peer + 1) % _peers.Length, peer);
                    // Cancelled without our token: the server saw the deadline first.
                    throw ex.StatusCode == StatusCode.Cancelled ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")) : ex;
                }
            }, options.CancellationToken);
        }
        catch (RpcException ex)
        {
            throw options.CancellationToken.IsCancellationRequested ? new OperationCanceledException("The Qdrant call was cancelled.", ex, options.CancellationToken)
                : Translate(method.Name, ex, _peers[peer].Address);
        }
    }

    private Metadata Headers(Metadata? given)
    {
        var headers = new Metadata();
        foreach (var entry in (given ?? []).Where(e => !string.Equals(e.Key, "api-key", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(entry);
        }
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            headers.Add("api-key", _options.ApiKey);
        }
        return headers;
    }

    private QdrantException Translate(string call, RpcException ex, Uri peer)
    {
        var hint = ex.StatusCode switch
        {
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => "Qdrant refused the API key: set Qdrant:ApiKey to the server's service.api_key (QDRANT__SERVICE__API_KEY).",
            StatusCode.DeadlineExceeded => $"No answer within {_options.TimeoutSeconds} s: raise Qdrant:TimeoutSeconds or check the server's load.",
            StatusCode.Unavailable => $"Check that Qdrant runs and that Qdrant:Url names its gRPC port {QdrantOptions.GrpcPort}.",
            StatusCode.NotFound => "Check Qdrant:Collection; restarting PolicyChat re-creates missing collections.",
            _ => "",
        };
        return new QdrantException($"Qdrant {call} at {peer} failed: {ex.StatusCode} {ex.Status.Detail}. {hint}".TrimEnd(), ex.StatusCode, ex);
    }

    private static SocketsHttpHandler CreateHandler(QdrantOptions options)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (options.CertificateThumbprint is { } thumbprint)
        {
            var expected = Convert.FromHexString(thumbprint.Replace(":", "", StringComparison.Ordinal));
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), expected),
            };
        }
        return handler;
    }

    public void Dispose() => Array.ForEach(_peers, p => p.Channel.Dispose());

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();
}
