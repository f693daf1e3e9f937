using System.Net;

namespace PolicyChat.Server.Security;

/// <summary>
/// Who may see /readyz's details (corpus path, model endpoint, index and seeding state): a caller with a valid key, or
/// one on this machine. A request that came through a proxy (<c>X-Forwarded-For</c> or <c>Forwarded</c>) does not
/// count as local even when the proxy connects from loopback.
/// </summary>
public static class ReadinessAccess
{
    public static bool ShowsDetails(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identity is { IsAuthenticated: true, Name: { } name } && name != ApiKeyDefaults.OpenName)
        {
            return true;
        }
        return IsLocal(context);
    }

    /// <summary>From loopback (or an in-process/Unix-socket connection, which has no address), not relayed by a proxy.</summary>
    public static bool IsLocal(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        if (headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("Forwarded"))
        {
            return false;
        }
        var remote = context.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote);
    }
}
