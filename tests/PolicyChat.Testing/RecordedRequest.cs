using System.Text.Json.Nodes;

namespace PolicyChat.Testing;

/// <summary>A chat message as the server received it.</summary>
public sealed record RecordedMessage(string Role, string Content);

/// <summary>
/// One request received by <see cref="ScriptedOpenAiServer"/>, with what happened to it. <see cref="Completed"/> finishes
/// when the server has stopped handling it, after which <see cref="ClientAborted"/> is final.
/// </summary>
public sealed class RecordedRequest
{
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _clientAborted;
    private volatile bool _serverDropped;

    internal RecordedRequest(string method, string path, string body, string? authorization)
    {
        Method = method;
        Path = path;
        Body = body;
        Authorization = authorization;
        try
        {
            Json = body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            Json = null;
        }
    }

    public string Method { get; }

    public string Path { get; }

    /// <summary>The raw request body.</summary>
    public string Body { get; }

    /// <summary>The Authorization header, if any.</summary>
    public string? Authorization { get; }

    /// <summary>The parsed body, or null when it was empty or not JSON.</summary>
    public JsonNode? Json { get; }

    public string? Model => Json?["model"]?.GetValue<string>();

    /// <summary>The <c>stream</c> flag of a chat request (false when absent).</summary>
    public bool Stream => Json?["stream"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>Chat messages with plain-text content (content parts are joined).</summary>
    public IReadOnlyList<RecordedMessage> Messages =>
        Json?["messages"] is JsonArray messages
            ? [.. messages.Select(m => new RecordedMessage(m?["role"]?.GetValue<string>() ?? "", ContentText(m?["content"])))]
            : [];

    /// <summary>Embedding inputs (a single string input becomes one element).</summary>
    public IReadOnlyList<string> Inputs => Json?["input"] switch
    {
        JsonArray array => [.. array.Select(i => i?.GetValue<string>() ?? "")],
        JsonValue value when value.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    /// <summary>The <c>encoding_format</c> of an embeddings request, or null when absent.</summary>
    public string? EncodingFormat => Json?["encoding_format"]?.GetValue<string>();

    /// <summary>True when the client went away (HttpContext.RequestAborted fired) while the server was handling the request.</summary>
    public bool ClientAborted => _clientAborted;

    /// <summary>True when the script dropped the connection on purpose.</summary>
    public bool ServerDropped => _serverDropped;

    /// <summary>Completes when the server has finished handling the request (normally, dropped, or aborted by the client).</summary>
    public Task Completed => _completed.Task;

    internal void MarkClientAborted() => _clientAborted = true;

    internal void MarkServerDropped() => _serverDropped = true;

    internal void MarkCompleted() => _completed.TrySetResult();

    private static string ContentText(JsonNode? content) => content switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => content.ToJsonString(),
    };
}
