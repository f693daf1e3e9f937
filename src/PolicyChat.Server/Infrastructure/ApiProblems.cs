using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace PolicyChat.Server.Infrastructure;

/// <summary>
/// Problem details (RFC 9457) for every error the server returns. <c>detail</c> is a message for people in the caller's
/// language (see <see cref="UiLanguage"/>), <c>code</c> a stable machine-readable code. Under <c>/v1</c> the problem also
/// carries OpenAI's <c>error</c> object (<c>message</c>, <c>type</c>, <c>code</c>) so OpenAI clients show the message.
/// </summary>
public static class ApiProblems
{
    public const string OpenAiPrefix = "/v1";

    /// <summary>A problem; <paramref name="param"/> names the request parameter at fault (also OpenAI's <c>error.param</c>).</summary>
    public static ProblemHttpResult Create(HttpContext context, int status, string code, LocalizedText text, string? requestedLanguage = null,
        string? param = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(text);
        var language = UiLanguage.FromRequest(context.Request, requestedLanguage);
        var detail = text.In(language);
        var extensions = new Dictionary<string, object?> { ["code"] = code, ["language"] = language };
        if (param is not null)
        {
            extensions["param"] = param;
        }
        if (context.Request.Path.StartsWithSegments(OpenAiPrefix, StringComparison.OrdinalIgnoreCase))
        {
            extensions["error"] = new Dictionary<string, object?>
            {
                ["message"] = detail,
                ["type"] = OpenAiErrorType(status),
                ["param"] = param,
                ["code"] = code,
            };
        }
        UiLanguage.Announce(context.Response, language);
        return TypedResults.Problem(detail: detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status),
            type: $"https://httpstatuses.io/{status}", extensions: extensions);
    }

    /// <summary>Writes a problem straight to the response (middleware: authentication, rate limiting, status pages).</summary>
    public static Task WriteAsync(HttpContext context, int status, string code, LocalizedText text) =>
        Create(context, status, code, text).ExecuteAsync(context);

    private static string OpenAiErrorType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
