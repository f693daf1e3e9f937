using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.RateLimiting;

namespace PolicyChat.Server.Security;

/// <summary>
/// The HTTP rate-limit policies and the per-client limiters, all partitioned by client (<see cref="PartitionKey"/>):
/// the API key's id, or the client's IP address for a caller without a key.
/// </summary>
public static class RateLimitPolicies
{
    /// <summary>Token bucket per client for /api and /v1.</summary>
    public const string PerKey = "per-key";

    /// <summary>Token bucket per client for new hub connections (negotiate and connect requests).</summary>
    public const string HubConnect = "hub-connect";

    public static IServiceCollection AddPolicyChatRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<HubQuestionLimiter>();
        services.AddSingleton<ClientAnswerLimiter>();
        services.AddSingleton<UploadTextBudget>();
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    SetRetryAfter(context.HttpContext.Response, retryAfter);
                }
                await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited", ServerText.TooManyRequests);
            };
            limiter.AddPolicy(PerKey, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => Bucket(options.RequestsPerMinute, options.Burst));
            });
            limiter.AddPolicy(HubConnect, context =>
            {
                if (IsHubContinuation(context.Request))
                {
                    return RateLimitPartition.GetNoLimiter("hub-continuation");
                }
                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => Bucket(options.HubConnectionsPerMinute, options.HubConnectionBurst));
            });
        });
    }

    /// <summary>The caller's key id when a key authenticated the request, else its IP address.</summary>
    public static string PartitionKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.User.Identity is { IsAuthenticated: true } identity ? identity.Name : null;
        return name is not null && name != ApiKeyDefaults.OpenName
            ? name
            : "ip-" + (context.Connection.RemoteIpAddress?.ToString() ?? "local");
    }

    /// <summary>
    /// A request of a hub connection that negotiate already counted: it carries the connection token (<c>?id=</c>), as
    /// the WebSocket upgrade after negotiate and every long-polling or Server-Sent Events request do. A new connection
    /// is a negotiate request, or a WebSocket opened without negotiating (no <c>id</c>).
    /// </summary>
    public static bool IsHubContinuation(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return !request.Path.Value!.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase) && request.Query.ContainsKey("id");
    }

    /// <summary><c>Retry-After</c> in whole seconds, at least 1.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    internal static TokenBucketRateLimiterOptions Bucket(int perMinute, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = Math.Max(1, perMinute / 60),
        ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / perMinute),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
