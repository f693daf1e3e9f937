namespace PolicyChat.Core.Models;

/// <summary>URL helpers for OpenAI-compatible servers. A configured base URL may end with '/' or '/v1'; both are tolerated.</summary>
public static class ModelEndpoints
{
    /// <summary>The base URL without a trailing slash or <c>/v1</c>: <c>http://host:11434/v1/</c> becomes <c>http://host:11434</c>.</summary>
    public static string BaseUrl(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var trimmed = endpoint.Trim().TrimEnd('/');
        return trimmed.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? trimmed[..^3].TrimEnd('/') : trimmed;
    }

    /// <summary>
    /// An <see cref="HttpClient"/> suited to model servers: no overall <see cref="HttpClient.Timeout"/> (the model clients
    /// apply their own, and streams last long), a bounded connect timeout, pooled connections that are recycled so
    /// DNS changes (docker-compose restarts) are seen, and no draining of abandoned responses: when a caller stops
    /// reading a stream (cancelled between two updates, a closed browser tab), the connection is closed at once, so
    /// the model server stops generating, instead of being read to the end for up to 2 s to be reused.
    /// The caller owns and disposes it; share one per process.
    /// </summary>
    public static HttpClient CreateHttpClient(TimeSpan? connectTimeout = null) =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            MaxResponseDrainSize = 0,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
