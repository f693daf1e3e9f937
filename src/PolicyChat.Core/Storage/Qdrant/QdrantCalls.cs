using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Qdrant.Client;
using QdrantGrpc = Qdrant.Client.Grpc;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>
/// The gRPC call path under <see cref="QdrantClient"/>: one channel over the peers of <see cref="QdrantOptions.Url"/>
/// (several peers: Grpc.Net.Client's static resolver with pick_first, so an unreachable peer is skipped), the <c>api-key</c>
/// header, a deadline per attempt, Polly retries on Unavailable, ResourceExhausted and DeadlineExceeded, and failures as
/// <see cref="QdrantException"/>s that name the setting to check. The store makes unary calls only.
/// </summary>
internal sealed class QdrantCalls : Interceptor, IDisposable
{
    private static readonly StatusCode[] s_transient = [StatusCode.Unavailable, StatusCode.ResourceExhausted, StatusCode.DeadlineExceeded];

    private readonly QdrantOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly Metadata _headers = [];

    public QdrantCalls(QdrantOptions options, ILogger logger, HttpMessageHandler? handler = null)
    {
        _options = options;
        Channel = CreateChannel(options, handler);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            _headers.Add("api-key", options.ApiKey);
        }
        _pipeline = options.Retries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => s_transient.Contains(e.StatusCode)),
            MaxRetryAttempts = options.Retries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            OnRetry = args =>
            {
                logger.LogWarning("Qdrant call failed ({Status}); retry {Attempt} of {Max}", (args.Outcome.Exception as RpcException)?.StatusCode, args.AttemptNumber + 1, options.Retries);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    public GrpcChannel Channel { get; }

    /// <summary>Polls Qdrant's gRPC health check until it answers, for at most <see cref="QdrantOptions.ReadyTimeoutSeconds"/>; returns the server's version.</summary>
    public async Task<string> WaitForHealthAsync(CancellationToken cancellationToken)
    {
        var health = new QdrantGrpc.Qdrant.QdrantClient(Channel);
        var deadline = DateTime.UtcNow.AddSeconds(_options.ReadyTimeoutSeconds);
        var polling = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RpcException { StatusCode: not (StatusCode.Unauthenticated or StatusCode.PermissionDenied) }
                && DateTime.UtcNow < deadline),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(1),
        }).Build();
        try
        {
            var attemptDeadline = TimeSpan.FromSeconds(Math.Min(_options.TimeoutSeconds, 5));
            return (await polling.ExecuteAsync(async token =>
                await health.HealthCheckAsync(new QdrantGrpc.HealthCheckRequest(), _headers, DateTime.UtcNow.Add(attemptDeadline), token), cancellationToken)).Version;
        }
        catch (RpcException ex) when (ex.StatusCode is not (StatusCode.Unauthenticated or StatusCode.PermissionDenied) && !cancellationToken.IsCancellationRequested)
        {
            throw new QdrantException($"Qdrant did not answer its gRPC health check within {_options.ReadyTimeoutSeconds} s ({ex.StatusCode} {ex.Status.Detail}). Check that " +
                $"Qdrant runs and that Qdrant:Url names its gRPC port {QdrantOptions.GrpcPort}, or raise Qdrant:ReadyTimeoutSeconds.", StatusCode.Unavailable, ex);
        }
        catch (RpcException ex)
        {
            throw Translate("HealthCheck", ex, cancellationToken);
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        new(CallAsync(request, context, continuation), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    private async Task<TResponse> CallAsync<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                var options = context.Options.WithHeaders(_headers).WithDeadline(DateTime.UtcNow.AddSeconds(_options.TimeoutSeconds)).WithCancellationToken(token);
                using var call = continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options));
                return await call.ResponseAsync;
            }, context.Options.CancellationToken);
        }
        catch (RpcException ex)
        {
            throw Translate(context.Method.Name, ex, context.Options.CancellationToken);
        }
    }

    private Exception Translate(string call, RpcException ex, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The Qdrant call was cancelled.", ex, cancellationToken);
        }
        var hint = ex.StatusCode switch
        {
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => "Qdrant refused the API key: set Qdrant:ApiKey to the server's service.api_key (QDRANT__SERVICE__API_KEY).",
            StatusCode.DeadlineExceeded => $"No answer within {_options.TimeoutSeconds} s: raise Qdrant:TimeoutSeconds or check the server's load.",
            StatusCode.Unavailable => $"Check that Qdrant runs and that Qdrant:Url names its gRPC port {QdrantOptions.GrpcPort}.",
            StatusCode.NotFound => "Check Qdrant:Collection; restarting PolicyChat re-creates missing collections.",
            _ => "",
        };
        return new QdrantException($"Qdrant {call} at {_options.Url} failed: {ex.StatusCode} {ex.Status.Detail}. {hint}".TrimEnd(), ex.StatusCode, ex);
    }

    private static GrpcChannel CreateChannel(QdrantOptions options, HttpMessageHandler? handler)
    {
        var peers = options.Peers();
        var channelOptions = new GrpcChannelOptions
        {
            HttpHandler = handler ?? CreateHandler(options.CertificateThumbprint),
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            // A peer that comes back is tried again within seconds (gRPC's default backoff grows to two minutes).
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
            MaxReconnectBackoff = TimeSpan.FromSeconds(5),
        };
        if (peers.Count == 1)
        {
            return GrpcChannel.ForAddress(peers[0], channelOptions);
        }
        // Peers of one cluster: the channel connects to the first that answers, in the order listed.
        var resolver = new StaticResolverFactory(_ => peers.Select(p => new BalancerAddress(p.Host, p.Port)).ToList());
        channelOptions.ServiceProvider = new ServiceCollection().AddSingleton<ResolverFactory>(resolver).BuildServiceProvider();
        channelOptions.Credentials = peers[0].Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        return GrpcChannel.ForAddress("static:///qdrant", channelOptions);
    }

    private static SocketsHttpHandler CreateHandler(string? thumbprint)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (thumbprint is not null)
        {
            // Qdrant.Client's own thumbprint check (SHA-256, ':' or '-' separators allowed), on this handler's TLS options.
            var trusted = CertificateValidation.Thumbprint(thumbprint);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trusted(null!, certificate as X509Certificate2, chain, errors);
        }
        return handler;
    }

    public void Dispose() => Channel.Dispose();
}
