using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.RateLimiting;

/// <summary>
/// Extracted text uploads may add per client and minute (<c>RateLimits:UploadTextCharsPerMinute</c>): a token bucket
/// of characters, so many small files that expand into much text (compressed .docx, PDFs) cannot add up.
/// </summary>
public sealed class UploadTextBudget : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public UploadTextBudget(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PerMinute = options.Value.UploadTextCharsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = PerMinute,
            TokensPerPeriod = Math.Max(1, PerMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public int PerMinute { get; }

    /// <summary>True when the client has no characters left this minute (refuse the request before reading it).</summary>
    public bool IsSpent(string client) => _limiter.GetStatistics(client)?.CurrentAvailablePermits <= 0;

    /// <summary>Takes <paramref name="chars"/> from the client's budget; false (nothing taken) when they do not fit.</summary>
    public bool TryTake(string client, int chars)
    {
        if (chars <= 0)
        {
            return true;
        }
        if (chars > PerMinute)
        {
            return false;
        }
        using var lease = _limiter.AttemptAcquire(client, chars);
        return lease.IsAcquired;
    }

    /// <summary>
    /// The admission check for one upload request: each file's extracted text must fit in what is left of
    /// <c>Server:MaxUploadTextChars</c> for the request and of the client's budget for the minute. Returns the reason a
    /// file is refused (in <paramref name="language"/>), or null when it is admitted and counted.
    /// </summary>
    public Func<int, string?> ForRequest(string client, long maxRequestChars, string language)
    {
        var left = maxRequestChars;
        return chars =>
        {
            if (chars > left)
            {
                return SecurityText.UploadTextTooLarge(maxRequestChars).In(language);
            }
            if (!TryTake(client, chars))
            {
                return SecurityText.UploadTextBudgetExhausted(PerMinute).In(language);
            }
            left -= chars;
            return null;
        };
    }

    public void Dispose() => _limiter.Dispose();
}
