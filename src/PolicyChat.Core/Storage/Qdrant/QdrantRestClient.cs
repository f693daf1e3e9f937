using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>
/// Sends REST requests to Qdrant through a Polly pipeline: retries with exponential backoff and jitter on 429, 502, 503,
/// 504, connection errors and per-attempt timeouts (honouring Retry-After), and turns failures into <see cref="QdrantException"/>.
/// </summary>
internal sealed class QdrantRestClient
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private static readonly TimeSpan s_maxRetryAfter = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly QdrantOptions _options;
    private readonly ILogger _logger;
    private readonly Uri _baseUri;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public QdrantRestClient(HttpClient http, QdrantOptions options, ILogger logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
        var url = options.Url.EndsWith('/') ? options.Url : options.Url + "/";
        _baseUri = new Uri(url, UriKind.Absolute);
        _pipeline = BuildPipeline(options, logger);
    }

    public Uri BaseUri => _baseUri;

    /// <summary>Sends a request and returns the parsed JSON envelope (<c>{"result":..,"status":"ok"}</c>); throws on failure.</summary>
    public async Task<JsonDocument> SendAsync(HttpMethod method, string pathAndQuery, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, pathAndQuery, body, cancellationToken);
        await EnsureSuccessAsync(response, method, pathAndQuery, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new QdrantException($"Qdrant {method} /{StripQuery(pathAndQuery)} answered {(int)response.StatusCode} with a body that is not JSON.", response.StatusCode, null, ex);
        }
    }

    /// <summary>Sends a request whose result is not needed (writes); throws on failure.</summary>
    public async Task SendNoResultAsync(HttpMethod method, string pathAndQuery, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, pathAndQuery, body, cancellationToken);
        await EnsureSuccessAsync(response, method, pathAndQuery, cancellationToken);
    }

    /// <summary>Sends one request with retries; returns the final response, whatever its status.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string pathAndQuery, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri, pathAndQuery);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (state, ct) =>
                {
                    using var request = state.Self.CreateRequest(state.Method, state.Uri, state.Body);
                    return await state.Self._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                },
                (Self: this, Method: method, Uri: uri, Body: body),
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException ex)
        {
            throw new QdrantException(
                $"Qdrant {method} /{StripQuery(pathAndQuery)} timed out after {_options.TimeoutSeconds} s per attempt ({_options.Retries + 1} attempts). Check that Qdrant at {_baseUri} is reachable or raise Qdrant:TimeoutSeconds.",
                null, null, ex);
        }
        catch (OperationCanceledException ex)
        {
            throw new QdrantException(
                $"Qdrant {method} /{StripQuery(pathAndQuery)} was cancelled by the HTTP client timeout ({_options.Retries + 1} attempts).", null, null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new QdrantException(
                $"Could not reach Qdrant at {_baseUri} for {method} /{StripQuery(pathAndQuery)} after {_options.Retries + 1} attempts: {ex.Message}. Check Qdrant:Url.",
                null, null, ex);
        }
    }

    /// <summary>One attempt, no retries, no exception for HTTP errors (used to poll /readyz).</summary>
    public async Task<(HttpStatusCode? Status, string Text)> ProbeAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var request = CreateRequest(HttpMethod.Get, new Uri(_baseUri, path), null);
            using var response = await _http.SendAsync(request, cts.Token);
            var text = await response.Content.ReadAsStringAsync(cts.Token);
            return (response.StatusCode, text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "no answer within " + timeout.TotalSeconds + " s");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, ReadOnlyMemory<byte>? body)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is { } bytes)
        {
            request.Content = new ReadOnlyMemoryContent(bytes);
            request.Content.Headers.ContentType = s_json;
        }
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.TryAddWithoutValidation("api-key", _options.ApiKey);
        }
        return request;
    }

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var error = await ReadErrorAsync(response, cancellationToken);
        var code = (int)response.StatusCode;
        var hint = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " Check Qdrant:ApiKey.",
            HttpStatusCode.NotFound => " Check Qdrant:Collection and that the store was initialized.",
            HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => " Qdrant stayed unavailable through all retries (Qdrant:Retries).",
            _ => "",
        };
        throw new QdrantException(
            $"Qdrant {method} /{StripQuery(pathAndQuery)} failed with {code} {response.StatusCode}: {(string.IsNullOrWhiteSpace(error) ? "(empty body)" : error)}.{hint}",
            response.StatusCode,
            error);
    }

    /// <summary>Qdrant's error text: JSON <c>status.error</c> when the body is JSON, else the plain text (401/403).</summary>
    internal static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return "";
        }
        var trimmed = text.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                if (doc.RootElement.TryGetProperty("status", out var status)
                    && status.ValueKind == JsonValueKind.Object
                    && status.TryGetProperty("error", out var error)
                    && error.ValueKind == JsonValueKind.String)
                {
                    return error.GetString() ?? "";
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to the raw text.
            }
        }
        return trimmed.Length > 1000 ? trimmed[..1000] + "…" : trimmed;
    }

    private static string StripQuery(string pathAndQuery)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? pathAndQuery : pathAndQuery[..q];
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(QdrantOptions options, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = s_maxRetryAfter,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Exception: OperationCanceledException } => !args.Context.CancellationToken.IsCancellationRequested,
                    { Result: { } response } => IsTransient(response.StatusCode),
                    _ => false,
                }),
                DelayGenerator = args =>
                {
                    var retryAfter = args.Outcome.Result?.Headers.RetryAfter;
                    TimeSpan? delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
                    return ValueTask.FromResult(delay is { } d && d >= TimeSpan.Zero ? (TimeSpan?)(d < s_maxRetryAfter ? d : s_maxRetryAfter) : null);
                },
                OnRetry = args =>
                {
                    logger.LogWarning(
                        "Qdrant request failed ({Reason}); retry {Attempt} of {Max} in {Delay} ms",
                        args.Outcome.Exception?.GetType().Name ?? ((int?)args.Outcome.Result?.StatusCode)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        args.AttemptNumber + 1,
                        options.Retries,
                        (int)args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        builder.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds));
        return builder.Build();
    }
}
