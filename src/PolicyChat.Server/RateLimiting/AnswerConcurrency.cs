using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.RateLimiting;

/// <summary>Holds a <see cref="ClientAnswerLimiter"/> lease while an HTTP answer endpoint runs (streams included); 429 when the client is at its bound.</summary>
public static class AnswerConcurrency
{
    public static TBuilder LimitConcurrentAnswers<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var limiter = context.RequestServices.GetRequiredService<ClientAnswerLimiter>();
            using var lease = limiter.TryAcquire(RateLimitPolicies.PartitionKey(context));
            if (!lease.IsAcquired)
            {
                RateLimitPolicies.SetRetryAfter(context.Response, TimeSpan.FromSeconds(1));
                return ApiProblems.Create(context, StatusCodes.Status429TooManyRequests, "too_many_answers", SecurityText.TooManyAnswers(limiter.Limit));
            }
            return await next(invocation);
        });
}
