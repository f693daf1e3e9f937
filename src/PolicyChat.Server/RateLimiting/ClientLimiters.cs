using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.RateLimiting;

/// <summary>
/// Hub questions per client (API key, or IP address without a key), shared by all the client's connections: a token
/// bucket of <c>RateLimits:HubBurst</c> refilled at <c>RateLimits:HubQuestionsPerMinute</c>. Idle buckets are dropped
/// by <see cref="PartitionedRateLimiter"/>, so memory follows the number of recently active clients.
/// </summary>
public sealed class HubQuestionLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public HubQuestionLimiter(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(client =>
            RateLimitPartition.GetTokenBucketLimiter(client, _ => RateLimitPolicies.Bucket(o.HubQuestionsPerMinute, o.HubBurst)));
    }

    /// <summary>Takes one question from the client's budget; false when it is spent.</summary>
    public bool TryAcquire(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// Answers running at once per client, over the hub and HTTP together (<c>RateLimits:ConcurrentAnswersPerClient</c>).
/// The lease is held until the answer ends; a client over its bound is refused at once, not queued.
/// </summary>
public sealed class ClientAnswerLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ClientAnswerLimiter(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Limit = options.Value.ConcurrentAnswersPerClient;
        _limiter = PartitionedRateLimiter.Create<string, string>(client =>
            RateLimitPartition.GetConcurrencyLimiter(client, _ => new ConcurrencyLimiterOptions { PermitLimit = Limit, QueueLimit = 0 }));
    }

    public int Limit { get; }

    /// <summary>A lease to dispose when the answer ends; check <see cref="RateLimitLease.IsAcquired"/>.</summary>
    public RateLimitLease TryAcquire(string client) => _limiter.AttemptAcquire(client);

    public void Dispose() => _limiter.Dispose();
}
