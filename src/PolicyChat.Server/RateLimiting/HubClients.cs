using Microsoft.AspNetCore.SignalR;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.RateLimiting;

/// <summary>Who a hub connection belongs to, for per-client budgets: its API key's id, or its IP address.</summary>
public static class HubClients
{
    public static string Of(HubCallerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetHttpContext() is { } http ? RateLimitPolicies.PartitionKey(http) : "connection-" + context.ConnectionId;
    }
}
