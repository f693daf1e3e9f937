using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PolicyChat.Server.Infrastructure;

namespace PolicyChat.Server.Security;

public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string QueryName = "access_token";
    public const string UserRole = "user";
    public const string AdminRole = "admin";

    /// <summary>Any valid key (user or admin).</summary>
    public const string UserPolicy = "policychat-user";

    /// <summary>An admin key: uploads and deletes.</summary>
    public const string AdminPolicy = "policychat-admin";

    /// <summary>Name of the open-mode principal (no keys configured).</summary>
    public const string OpenName = "open";
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>, and for the hub also the
/// <c>access_token</c> query parameter (browsers cannot set headers on WebSockets). With no keys configured a request
/// without the (generated) admin key is the "open" reader, which may not write unless <c>Auth:AllowAnonymousWrites</c>
/// is set. Challenges and denials are problem details (401, 403).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string HubPathPrefix = "/hubs";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        var kind = key is null ? ApiKeyKind.None : keys.Check(key);
        if (kind != ApiKeyKind.None)
        {
            return Task.FromResult(Success(ApiKeyRegistry.KeyId(key!), kind));
        }
        if (keys.Open)
        {
            // Reading is open, so a key that is not the admin key (OpenAI clients always send one) is just ignored.
            return Task.FromResult(Success(ApiKeyDefaults.OpenName, keys.AnonymousWrites ? ApiKeyKind.Admin : ApiKeyKind.User));
        }
        return Task.FromResult(key is null ? AuthenticateResult.NoResult() : AuthenticateResult.Fail("The API key is not valid."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "unauthorized", ServerText.Unauthorized);
    }

    /// <summary>A keyless caller of an open server who tries to write is told to send the admin key (401), a user key gets 403.</summary>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Context.User.Identity?.Name == ApiKeyDefaults.OpenName)
        {
            Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "admin_key_required", SecurityText.AdminKeyRequired);
            return;
        }
        await ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", ServerText.Forbidden);
    }

    /// <summary>The key a request carries, or null.</summary>
    public static string? ReadKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
        {
            return authorization[7..].Trim();
        }
        if (request.Headers[ApiKeyDefaults.HeaderName].ToString() is { Length: > 0 } header)
        {
            return header.Trim();
        }
        if (request.Path.StartsWithSegments(HubPathPrefix, StringComparison.OrdinalIgnoreCase)
            && request.Query[ApiKeyDefaults.QueryName].ToString() is { Length: > 0 } token)
        {
            return token.Trim();
        }
        return null;
    }

    private static AuthenticateResult Success(string name, ApiKeyKind kind)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, ApiKeyDefaults.UserRole) };
        if (kind == ApiKeyKind.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, ApiKeyDefaults.AdminRole));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyDefaults.Scheme));
    }
}
