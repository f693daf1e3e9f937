using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Hosting;
using PolicyChat.Server.Hubs;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Seeding;
using PolicyChat.Server.Security;

namespace PolicyChat.Server;

/// <summary>The server's composition: services (<see cref="AddPolicyChatServer"/>) and middleware (<see cref="UsePolicyChatServer"/>).</summary>
public static class PolicyChatServerExtensions
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>
    /// The core services (<c>AddPolicyChat</c>: storage, retrieval, answering, models), the server's options
    /// (validated at start-up), API-key authentication, rate limits, problem details, SignalR, OpenAPI and the
    /// seeding service.
    /// </summary>
    public static WebApplicationBuilder AddPolicyChatServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        UseDefaultAddress(builder);
        var services = builder.Services;
        services.AddPolicyChat(builder.Configuration);

        services.AddValidatedOptions<ServerOptions>(ServerOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<ServerSecurityOptions>(ServerOptions.SectionName, o => o.Validate());
        services.AddRequestGuards();

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => ServerJson.Configure(o.SerializerOptions));
        services.AddHttpClient(Apis.HealthApi.HttpClientName);
        services.AddSingleton<AnswerStreams>();
        services.AddSingleton<HistoryRecording>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<ApiKeyRegistry>();
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.UserPolicy, p => p.RequireAuthenticatedUser().RequireRole(ApiKeyDefaults.UserRole, ApiKeyDefaults.AdminRole))
            .AddPolicy(ApiKeyDefaults.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(ApiKeyDefaults.AdminRole));
        services.AddPolicyChatRateLimiting();

        var hubMessageBytes = builder.Configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>()?.HubMaximumReceiveMessageBytes
            ?? new ServerOptions().HubMaximumReceiveMessageBytes;
        services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = hubMessageBytes;
                o.EnableDetailedErrors = false;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Encoder = ServerJson.Encoder);

        services.AddOpenApi(OpenApiDescription.Configure);
        services.AddSingleton<SeedingStatus>();
        services.AddHostedService<CorpusSeeder>();
        services.AddHostedService<IndexWarmUp>();
        return builder;
    }

    /// <summary>Errors as problem details, static files (<c>/</c> → index.html), authentication, rate limits, authorization.</summary>
    public static WebApplication UsePolicyChatServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseTrustedProxies();
        app.UseSecurityHeaders();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteServerErrorAsync });
        app.UseStatusCodePages(context => WriteBareStatusAsync(context.HttpContext));
        app.UseRequestGuards();
        WebRoot.Apply(app.Environment, app.Logger);
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        WarnWhenOpen(app);
        return app;
    }

    /// <summary>Maps the chat hub with its transport limits.</summary>
    public static IEndpointRouteBuilder MapChatHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<ChatHub>(ChatHub.Path).RequireRateLimiting(RateLimitPolicies.HubConnect);
        return app;
    }

    /// <summary>
    /// http://localhost:5080 unless the host was given addresses (--urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS,
    /// Kestrel:Endpoints): the Dockerfile's ASPNETCORE_URLS must win, so the default is not in appsettings.json.
    /// </summary>
    private static void UseDefaultAddress(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(configuration[WebHostDefaults.HttpsPortsKey])
            && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }

    private static void AddValidatedOptions<T>(this IServiceCollection services, string section, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new ProblemListValidator<T>(problems));
    }

    private static void WarnWhenOpen(WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeyRegistry>();
        if (keys.AnonymousWrites)
        {
            app.Logger.LogWarning(
                "No API keys are configured and {Setting} is true: anyone who can reach this server can ask, upload and delete documents. "
                + "Keep it on a private machine, or configure keys ({ApiKeys}, {AdminKeys}).",
                $"{AuthOptions.SectionName}:AllowAnonymousWrites", $"{AuthOptions.SectionName}:ApiKeys", $"{AuthOptions.SectionName}:AdminKeys");
        }
        else if (keys.Open)
        {
            app.Logger.LogWarning(
                "No API keys are configured ({ApiKeys}): anyone who can reach this server can ask, search and read the documents; "
                + "uploads and deletes need an admin key.", $"{AuthOptions.SectionName}:ApiKeys");
        }
    }

    /// <summary>Unhandled exceptions: a 500 problem in the caller's language, never the exception's text.</summary>
    private static Task WriteServerErrorAsync(HttpContext context)
    {
        var status = context.Features.Get<IExceptionHandlerFeature>()?.Error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        return ApiProblems.WriteAsync(context, status, status == 500 ? "server_error" : "bad_request", ServerText.ForStatus(status));
    }

    /// <summary>An error status with no body yet (unreadable JSON, unknown route, wrong method…) gets a localized problem.</summary>
    private static Task WriteBareStatusAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var code = status switch
        {
            400 => "bad_request",
            404 => "not_found",
            405 => "method_not_allowed",
            413 => "body_too_large",
            415 => "unsupported_media_type",
            _ => "error",
        };
        return ApiProblems.WriteAsync(context, status, code, ServerText.ForStatus(status));
    }
}
