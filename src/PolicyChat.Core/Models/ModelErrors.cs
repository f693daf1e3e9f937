using System.ClientModel;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Models;

/// <summary>What a failing call was about, to write messages that name the setting to fix.</summary>
/// <param name="Section">Configuration section: "Llm" or "Embedding".</param>
/// <param name="Endpoint">Base URL (no /v1).</param>
internal sealed record ModelCallContext(string Section, string Endpoint, string Model, TimeSpan Timeout)
{
    public string Where => $"{Endpoint} (model '{Model}')";
}

/// <summary>Maps HTTP statuses, server error bodies and transport exceptions to <see cref="ModelException"/>s.</summary>
internal static class ModelErrors
{
    /// <summary>
    /// Maps a failure to a <see cref="ModelException"/>. Returns false (rethrow the original) for exceptions that are
    /// not model failures, and for an <see cref="OperationCanceledException"/> once <paramref name="callerToken"/> is
    /// cancelled: cancellation by the caller stays cancellation; any other failure after it becomes one.
    /// </summary>
    public static bool TryMap(Exception exception, ModelCallContext context, CancellationToken callerToken, out Exception mapped)
    {
        mapped = exception switch
        {
            OperationCanceledException when callerToken.IsCancellationRequested => exception,
            _ when callerToken.IsCancellationRequested => new OperationCanceledException("The model call was cancelled.", exception, callerToken),
            ClientResultException { Status: > 0 } result => FromStatus(result.Status, ServerMessage(result.GetRawResponse()?.Content?.ToString()), context, result),
            ClientResultException { InnerException: { } inner } => TryMap(inner, context, callerToken, out var innerMapped) ? innerMapped : Unreachable(context, exception),
            OperationCanceledException or TimeoutException => new ModelException(ModelFailureKind.Timeout,
                $"The model server at {context.Where} did not answer within {Seconds(context.Timeout)} (raise {context.Section}:TimeoutSeconds if the model is slow to load).", exception),
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or IOException
                or HttpRequestException { HttpRequestError: HttpRequestError.Unknown, InnerException: IOException } => ConnectionLost(context, exception),
            HttpRequestException => Unreachable(context, exception),
            JsonException or FormatException => InvalidResponse(context, "its answer could not be parsed", exception),
            _ => exception,
        };
        return !ReferenceEquals(mapped, exception);
    }

    /// <summary>Runs <paramref name="call"/> (a whole answer, a batch, one step of a stream), throwing what <see cref="TryMap"/> makes of its failure.</summary>
    public static async Task<T> MapFailuresAsync<T>(Func<Task<T>> call, ModelCallContext context, CancellationToken callerToken)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (TryMap(ex, context, callerToken, out var mapped))
        {
            throw mapped;
        }
    }

    /// <summary>An exception for an HTTP error status, with the server's own message (<see cref="ServerMessage"/>) when it sent one.</summary>
    public static ModelException FromStatus(int status, string? serverText, ModelCallContext context, Exception? inner = null)
    {
        var (kind, message) = status switch
        {
            404 when serverText is null || serverText.Contains("model", StringComparison.OrdinalIgnoreCase) => (ModelFailureKind.ModelNotFound,
                $"model '{context.Model}' not found on {context.Endpoint} — pull it first (ollama pull {context.Model}) or fix {context.Section}:Model."),
            404 => (ModelFailureKind.Unreachable,
                $"{context.Endpoint} has no OpenAI-compatible API (404 on /v1) — check {context.Section}:Endpoint (the base URL, e.g. http://localhost:11434)."),
            401 or 403 => (ModelFailureKind.Unauthorized, $"The model server at {context.Endpoint} rejected the key ({status}) — check {context.Section}:ApiKey."),
            503 when serverText?.Contains("loading", StringComparison.OrdinalIgnoreCase) == true => (ModelFailureKind.Overloaded,
                $"The model server at {context.Where} is still loading the model (503) — try again shortly."),
            429 or 503 => (ModelFailureKind.Overloaded, $"The model server at {context.Where} is busy or unavailable ({status}) — try again shortly."),
            408 or 504 => (ModelFailureKind.Timeout, $"The model server at {context.Where} timed out ({status})."),
            >= 400 and < 500 => (ModelFailureKind.BadRequest, $"The model server at {context.Where} rejected the request ({status})."),
            _ => (ModelFailureKind.ServerError, $"The model server at {context.Where} failed ({status})."),
        };
        return new ModelException(kind, message + (serverText is null ? "" : $" The server said: {serverText}"), inner);
    }

    /// <summary>An error object received (inside a stream or as the whole body) after the status line said success.</summary>
    public static ModelException ErrorInBody(string? serverText, int? code, ModelCallContext context, bool midStream) =>
        code is >= 400 and < 600 and not 500
            ? FromStatus(code.Value, serverText is null ? null : Clean(serverText), context)
            : new ModelException(ModelFailureKind.ServerError, $"The model server at {context.Where} reported an error {(midStream ? "in the middle of its answer" : "with status 200")}."
                + (serverText is null ? "" : $" The server said: {Clean(serverText)}"));

    public static ModelException InvalidResponse(ModelCallContext context, string what, Exception? inner = null) =>
        new(ModelFailureKind.InvalidResponse,
            $"The model server at {context.Where} sent an invalid response: {what}. Is {context.Section}:Endpoint an OpenAI-compatible server?", inner);

    public static ModelException ConnectionLost(ModelCallContext context, Exception? inner = null) =>
        new(ModelFailureKind.ServerError, $"The connection to the model server at {context.Where} dropped before the answer was complete.", inner);

    /// <summary>The server's own message from an error body (see <see cref="ErrorIn"/>) or plain text, shortened to one line.</summary>
    public static string? ServerMessage(string? body)
    {
        try
        {
            if (ErrorIn(JsonNode.Parse(body ?? "")) is { } error)
            {
                return error.Message is null ? null : Clean(error.Message);
            }
        }
        catch (JsonException)
        {
            // Plain text (or nothing) after all.
        }
        return string.IsNullOrWhiteSpace(body) ? null : Clean(body);
    }

    /// <summary>
    /// The message and numeric code of an error object: <c>{"error":{"message"}}</c>, <c>{"error":"…"}</c>, vLLM's flat
    /// <c>{"object":"error","message"}</c>, or <c>{"message"}</c> / <c>{"detail"}</c> without choices or data. Null when it is none.
    /// </summary>
    public static (string? Message, int? Code)? ErrorIn(JsonNode? root)
    {
        if (root is not JsonObject node)
        {
            return null;
        }
        var error = node["error"];
        int? code = (error as JsonObject ?? node)["code"] is JsonValue c && (c.TryGetValue<int>(out var n) || (c.TryGetValue<string>(out var s) && int.TryParse(s, out n))) ? n : null;
        if (error is not null) // a JSON null is a null node
        {
            return (Text(error is JsonObject ? error["message"] : error) ?? error.ToJsonString(), code);
        }
        var isFlatError = Text(node["object"]) == "error";
        var message = Text(node["message"]) ?? (isFlatError ? null : Text(node["detail"]));
        return isFlatError || (message is not null && node["choices"] is null && node["data"] is null) ? (message, code) : null;

        static string? Text(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    /// <summary>Unreachable, with the operating system's reason, the root cause (e.g. "Connection refused (127.0.0.1:11434)").</summary>
    private static ModelException Unreachable(ModelCallContext context, Exception inner) =>
        new(ModelFailureKind.Unreachable,
            $"Cannot reach the model server at {context.Endpoint}: {Clean(inner.GetBaseException().Message)} — is it running? (check {context.Section}:Endpoint).", inner);

    private static string Clean(string text)
    {
        var oneLine = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return oneLine.Length <= 300 ? oneLine : oneLine[..300] + "…";
    }

    internal static string Seconds(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 ? $"{timeout.TotalSeconds:0.#} s" : $"{timeout.TotalMilliseconds:0} ms";
}
