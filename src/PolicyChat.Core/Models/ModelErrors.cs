using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Models;

/// <summary>What a failing call was about, to write messages that name the setting to fix.</summary>
/// <param name="Section">Configuration section: "Llm" or "Embedding".</param>
/// <param name="Endpoint">Base URL (no /v1).</param>
internal sealed record ModelCallContext(string Section, string Endpoint, string Model, TimeSpan Timeout);

/// <summary>Maps HTTP statuses, server error bodies and transport exceptions to <see cref="ModelException"/>s.</summary>
internal static class ModelErrors
{
    private const int MaxServerTextLength = 300;

    /// <summary>
    /// Maps a failure to a <see cref="ModelException"/>. Returns false (rethrow the original) for exceptions that are
    /// not model failures, and for <see cref="OperationCanceledException"/> when <paramref name="callerToken"/> was
    /// cancelled: cancellation by the caller stays cancellation. Any other exception raised after the caller
    /// cancelled becomes an <see cref="OperationCanceledException"/>.
    /// </summary>
    public static bool TryMap(Exception exception, ModelCallContext context, CancellationToken callerToken, out Exception mapped)
    {
        mapped = exception;
        if (callerToken.IsCancellationRequested)
        {
            if (exception is OperationCanceledException)
            {
                return false;
            }
            mapped = new OperationCanceledException("The model call was cancelled.", exception, callerToken);
            return true;
        }

        switch (exception)
        {
            case ModelException:
                return false;
            case ClientResultException { Status: > 0 } result:
                mapped = FromStatus(result.Status, result.GetRawResponse()?.Content?.ToString(), context, result);
                return true;
            case ClientResultException { InnerException: { } inner }:
                if (TryMap(inner, context, callerToken, out var innerMapped))
                {
                    mapped = innerMapped;
                    return true;
                }
                mapped = Unreachable(context, exception);
                return true;
            case OperationCanceledException or TimeoutException:
                mapped = new ModelUnavailableException(ModelFailureKind.Timeout,
                    $"The model server at {context.Endpoint} did not answer within {Seconds(context.Timeout)} (model '{context.Model}'; raise {context.Section}:TimeoutSeconds if the model is slow to load).",
                    exception);
                return true;
            case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
            case HttpIOException:
                mapped = ConnectionLost(context, exception);
                return true;
            case HttpRequestException http:
                mapped = http.InnerException is IOException && http.HttpRequestError == HttpRequestError.Unknown
                    ? ConnectionLost(context, exception)
                    : Unreachable(context, exception);
                return true;
            case IOException:
                mapped = ConnectionLost(context, exception);
                return true;
            case JsonException or FormatException:
                mapped = InvalidResponse(context, "its answer could not be parsed", exception);
                return true;
            default:
                return false;
        }
    }

    /// <summary>An exception for an HTTP error status, using the server's error message when it sent one.</summary>
    public static ModelException FromStatus(int status, string? body, ModelCallContext context, Exception? inner = null)
    {
        var serverText = ServerMessage(body);
        var said = serverText is null ? "" : $" The server said: {serverText}";
        var where = $"{context.Endpoint} (model '{context.Model}')";
        switch (status)
        {
            case 404 when serverText is null || serverText.Contains("model", StringComparison.OrdinalIgnoreCase):
                return new ModelUnavailableException(ModelFailureKind.ModelNotFound,
                    $"model '{context.Model}' not found on {context.Endpoint} — pull it first (ollama pull {context.Model}) or fix {context.Section}:Model.{said}",
                    inner, status);
            case 404:
                return new ModelUnavailableException(ModelFailureKind.Unreachable,
                    $"{context.Endpoint} has no OpenAI-compatible API (404 on /v1) — check {context.Section}:Endpoint (the base URL, e.g. http://localhost:11434).{said}",
                    inner, status);
            case 401 or 403:
                return new ModelUnavailableException(ModelFailureKind.Unauthorized,
                    $"The model server at {context.Endpoint} rejected the key ({status}) — check {context.Section}:ApiKey.{said}", inner, status);
            case 503 when serverText is not null && serverText.Contains("loading", StringComparison.OrdinalIgnoreCase):
                return new ModelUnavailableException(ModelFailureKind.ModelLoading,
                    $"The model server at {where} is still loading the model (503) — try again shortly.{said}", inner, status);
            case 429 or 503:
                return new ModelUnavailableException(ModelFailureKind.Overloaded,
                    $"The model server at {where} is busy or unavailable ({status}) — try again shortly.{said}", inner, status);
            case 408 or 504:
                return new ModelUnavailableException(ModelFailureKind.Timeout,
                    $"The model server at {where} timed out ({status}).{said}", inner, status);
            case >= 400 and < 500:
                return new ModelException(ModelFailureKind.BadRequest,
                    $"The model server at {where} rejected the request ({status}).{said}", inner, status);
            default:
                return new ModelException(ModelFailureKind.ServerError,
                    $"The model server at {where} failed ({status}).{said}", inner, status);
        }
    }

    /// <summary>An error object received inside a stream (or a 200 body) after the status line said success.</summary>
    public static ModelException ErrorInBody(string? serverText, int? code, ModelCallContext context)
    {
        var text = serverText is null ? "" : $" The server said: {Clean(serverText)}";
        if (code is >= 400 and < 600 && code != 500)
        {
            return FromStatus(code.Value, serverText is null ? null : JsonSerializer.Serialize(new { error = new { message = serverText } }), context);
        }
        return new ModelException(ModelFailureKind.ServerError,
            $"The model server at {context.Endpoint} (model '{context.Model}') reported an error in the middle of its answer.{text}");
    }

    public static ModelException InvalidResponse(ModelCallContext context, string what, Exception? inner = null) =>
        new(ModelFailureKind.InvalidResponse,
            $"The model server at {context.Endpoint} (model '{context.Model}') sent an invalid response: {what}. Is {context.Section}:Endpoint an OpenAI-compatible server?",
            inner);

    public static ModelUnavailableException ConnectionLost(ModelCallContext context, Exception? inner = null) =>
        new(ModelFailureKind.ConnectionLost,
            $"The connection to the model server at {context.Endpoint} (model '{context.Model}') dropped before the answer was complete.",
            inner);

    /// <summary>
    /// The server's own message from an error body: <c>{"error":{"message"}}</c>, <c>{"error":"…"}</c>, vLLM's flat
    /// <c>{"object":"error","message"}</c>, <c>{"message"}</c>, <c>{"detail"}</c>, or plain text. Shortened to one line.
    /// </summary>
    public static string? ServerMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            if (body.TrimStart().StartsWith('{'))
            {
                if (TryGetErrorMessage(JsonNode.Parse(body), out var message, out _))
                {
                    return message is null ? null : Clean(message);
                }
            }
        }
        catch (JsonException)
        {
            // Plain text after all.
        }
        return Clean(body);
    }

    /// <summary>True when <paramref name="root"/> is an error object (nested, string, or vLLM flat form), with its message and numeric code.</summary>
    public static bool TryGetErrorMessage(JsonNode? root, out string? message, out int? code)
    {
        message = null;
        code = null;
        if (root is not JsonObject node)
        {
            return false;
        }
        var error = node["error"];
        var holder = error is JsonObject ? error : node;
        code = holder["code"] is JsonValue c && (c.TryGetValue<int>(out var n) || (c.TryGetValue<string>(out var t) && int.TryParse(t, out n))) ? n : null;
        if (error is not null && error.GetValueKind() != JsonValueKind.Null)
        {
            message = error is JsonObject ? Text(error["message"]) ?? error.ToJsonString() : Text(error) ?? error.ToJsonString();
            return true;
        }
        var isFlatError = Text(node["object"]) == "error";
        if (isFlatError || (node["choices"] is null && node["data"] is null))
        {
            message = Text(node["message"]) ?? (isFlatError ? null : Text(node["detail"]));
            return isFlatError || message is not null;
        }
        return false;

        static string? Text(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    private static ModelUnavailableException Unreachable(ModelCallContext context, Exception inner)
    {
        var reason = FindSocketError(inner) switch
        {
            SocketError.ConnectionRefused => "connection refused — is the model server running?",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
            SocketError.TimedOut => "connection timed out",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
            _ => "the connection failed",
        };
        return new ModelUnavailableException(ModelFailureKind.Unreachable,
            $"Cannot reach the model server at {context.Endpoint}: {reason} (check {context.Section}:Endpoint).", inner);
    }

    private static SocketError? FindSocketError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }
        return null;
    }

    private static string Clean(string text)
    {
        var oneLine = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return oneLine.Length <= MaxServerTextLength ? oneLine : oneLine[..MaxServerTextLength] + "…";
    }

    internal static string Seconds(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 ? $"{timeout.TotalSeconds:0.#} s" : $"{timeout.TotalMilliseconds:0} ms";
}
