using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PolicyChat.Server.Infrastructure;

namespace PolicyChat.Server.Security;

/// <summary>
/// Checks every request passes before routing to an endpoint: security headers on every response, a 414 problem for
/// over-long URLs, and the origin check (a page from another origin may not write or reach the hub).
/// </summary>
public static class RequestGuards
{
    /// <summary>As strict as the page's own &lt;meta&gt; policy, plus what only a header can say (frame-ancestors).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; object-src 'none'; manifest-src 'self'; frame-ancestors 'none'";

    /// <summary>Kestrel's own limit on the request line: above it Kestrel answers a bare 414 before the app sees the request.</summary>
    public const int KestrelMaxRequestLineBytes = 256 * 1024;

    /// <summary>Lets request lines up to <see cref="KestrelMaxRequestLineBytes"/> reach the app, which answers long ones with a 414 problem.</summary>
    public static void ConfigureRequestLimits(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Limits.MaxRequestLineSize = KestrelMaxRequestLineBytes;
    }

    public static IServiceCollection AddRequestGuards(this IServiceCollection services)
    {
        services.AddSingleton<PublicOrigins>();
        services.Configure<KestrelServerOptions>(ConfigureRequestLimits);
        return services;
    }

    /// <summary>Security headers, set when the response starts (so error pages written after a reset carry them too).</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    });

    /// <summary>Believes <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from <c>Server:TrustedProxies</c> only.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var proxies = app.ApplicationServices.GetRequiredService<IOptions<ServerSecurityOptions>>().Value.TrustedProxies;
        if (proxies.Count == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        }
        return app.UseForwardedHeaders(options);
    }

    /// <summary>414 for URLs longer than <c>Server:MaxUrlChars</c>; 403 for writes and hub requests from another origin.</summary>
    public static IApplicationBuilder UseRequestGuards(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        var limit = context.RequestServices.GetRequiredService<IOptions<ServerSecurityOptions>>().Value.MaxUrlChars;
        if (request.Path.Value?.Length + request.QueryString.Value?.Length > limit)
        {
            return ApiProblems.WriteAsync(context, StatusCodes.Status414UriTooLong, "uri_too_long", SecurityText.UriTooLong(limit));
        }
        if (NeedsOriginCheck(request)
            && !context.RequestServices.GetRequiredService<PublicOrigins>().IsAllowed(request.Headers.Origin.ToString()))
        {
            return ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "cross_origin", SecurityText.CrossOrigin);
        }
        return next(context);
    });

    /// <summary>Hub requests (WebSockets are not covered by CORS) and state-changing API requests.</summary>
    public static bool NeedsOriginCheck(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Path.StartsWithSegments(ApiKeyAuthenticationHandler.HubPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var safe = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method);
        return !safe && (request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments(ApiProblems.OpenAiPrefix, StringComparison.OrdinalIgnoreCase));
    }
}
