using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PolicyChat.Server.Infrastructure;

namespace PolicyChat.Server.Security;

public static class RateLimitPolicies
{
    /// <summary>Token bucket per API key (per client IP in open mode) for /api and /v1.</summary>
    public const string PerKey = "per-key";

    public static IServiceCollection AddPolicyChatRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<HubQuestionLimiter>();
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited", ServerText.TooManyRequests);
            };
            limiter.AddPolicy(PerKey, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => Bucket(options.RequestsPerMinute, options.Burst));
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
            : "ip-" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
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

/// <summary>
/// A token bucket per SignalR connection for questions asked over the hub (the HTTP rate limiter sees only the
/// connection's start). Buckets are dropped when the connection closes.
/// </summary>
public sealed class HubQuestionLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _buckets = new(StringComparer.Ordinal);

    public bool TryAcquire(string connectionId)
    {
        var bucket = _buckets.GetOrAdd(connectionId,
            static (_, o) => new TokenBucketRateLimiter(RateLimitPolicies.Bucket(o.HubQuestionsPerMinute, o.HubBurst)), options.Value);
        using var lease = bucket.AttemptAcquire();
        return lease.IsAcquired;
    }

    public void Release(string connectionId)
    {
        if (_buckets.TryRemove(connectionId, out var bucket))
        {
            bucket.Dispose();
        }
    }

    public int Count => _buckets.Count;

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
        _buckets.Clear();
    }
}
