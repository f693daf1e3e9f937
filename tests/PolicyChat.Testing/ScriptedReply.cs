using System.Text.Json;

namespace PolicyChat.Testing;

/// <summary>Stream oddities that real OpenAI-compatible servers (Ollama, llama-server, vLLM) produce.</summary>
[Flags]
public enum StreamQuirks
{
    None = 0,

    /// <summary>Extra blank lines between events.</summary>
    BlankLines = 1 << 0,

    /// <summary><c>: keep-alive</c> comment lines before and between events.</summary>
    CommentLines = 1 << 1,

    /// <summary><c>finish_reason</c> arrives in its own chunk whose delta is empty (<c>{}</c>).</summary>
    FinishReasonSeparate = 1 << 2,

    /// <summary>A leading role-only chunk whose <c>content</c> is JSON null.</summary>
    NullContent = 1 << 3,

    /// <summary>A chunk whose delta has no <c>content</c> property at all.</summary>
    MissingContent = 1 << 4,

    /// <summary>Unknown fields everywhere: <c>timings</c>, <c>reasoning</c>, <c>reasoning_content</c>, <c>system_fingerprint</c>.</summary>
    UnknownFields = 1 << 5,

    /// <summary>A chunk with <c>"choices": []</c> and no usage (some proxies send one first).</summary>
    EmptyChoicesChunk = 1 << 6,

    /// <summary>The stream ends without <c>data: [DONE]</c> (the connection closes cleanly).</summary>
    NoDoneMarker = 1 << 7,

    /// <summary>All of the tolerable quirks at once (not <see cref="NoDoneMarker"/>).</summary>
    AllTolerable = BlankLines | CommentLines | FinishReasonSeparate | NullContent | MissingContent | UnknownFields | EmptyChoicesChunk,
}

/// <summary>Where token usage is reported in a stream.</summary>
public enum UsageMode
{
    /// <summary>In the last chunk that carries choices (llama-server style).</summary>
    Inline,

    /// <summary>In a separate final chunk with <c>"choices": []</c> (OpenAI / vLLM / Ollama with include_usage).</summary>
    Separate,

    /// <summary>Never reported.</summary>
    Absent,
}

/// <summary>
/// One scripted answer of <see cref="ScriptedOpenAiServer"/>. Build with the static factories and refine with the
/// <c>With…</c> methods: <c>ScriptedReply.Text("answer [1].").WithChunkDelay(TimeSpan.FromMilliseconds(50))</c>.
/// A reply answers both streaming and non-streaming requests.
/// </summary>
public sealed record ScriptedReply
{
    private ScriptedReply()
    {
    }

    /// <summary>HTTP status of the response (200 for answers).</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Body of a non-answer response (errors, raw JSON); null for generated answers.</summary>
    public string? Body { get; init; }

    /// <summary>Content type of <see cref="Body"/>.</summary>
    public string ContentType { get; init; } = "application/json";

    /// <summary>Text deltas, one per streamed chunk; the non-streaming answer joins them.</summary>
    public IReadOnlyList<string> Deltas { get; init; } = [];

    /// <summary>Finish reason of the last chunk; null sends none.</summary>
    public string? FinishReason { get; init; } = "stop";

    public UsageMode Usage { get; init; } = UsageMode.Separate;

    public int PromptTokens { get; init; } = 11;

    public StreamQuirks Quirks { get; init; }

    /// <summary>Delay before the status line and headers are written (a slow or loading server).</summary>
    public TimeSpan FirstByteDelay { get; init; }

    /// <summary>Delay before each streamed chunk after the first.</summary>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>When set, an <c>{"error":{…}}</c> event with this message is sent after the deltas (status stays 200).</summary>
    public string? MidStreamErrorMessage { get; init; }

    /// <summary>When true, the server aborts the connection after the deltas (no finish chunk, no [DONE]).</summary>
    public bool DropAfterDeltas { get; init; }

    /// <summary>Raw SSE text written verbatim after the headers (full control); overrides the generated stream.</summary>
    public string? RawStream { get; init; }

    /// <summary>Model name reported in the answer; null echoes the requested model.</summary>
    public string? ReportedModel { get; init; }

    /// <summary>An answer streamed as the given text split into word-sized chunks (each chunk keeps its trailing space).</summary>
    public static ScriptedReply Text(string text) => new() { Deltas = SplitWords(text) };

    /// <summary>The server's normal generated answer (embeddings, model list; an empty chat answer); refine with <c>With…</c>.</summary>
    public static ScriptedReply Generated() => new();

    /// <summary>An answer streamed as exactly these chunks.</summary>
    public static ScriptedReply Chunks(params string[] deltas) => new() { Deltas = deltas };

    /// <summary>An answer that exhibits the given stream quirks.</summary>
    public static ScriptedReply Quirk(StreamQuirks quirks, string text = "Quirky answer [1].", UsageMode usage = UsageMode.Separate) =>
        new() { Deltas = SplitWords(text), Quirks = quirks, Usage = usage };

    /// <summary>An HTTP error (or any status) with a JSON body.</summary>
    public static ScriptedReply Status(int statusCode, string body, string contentType = "application/json") =>
        new() { StatusCode = statusCode, Body = body, ContentType = contentType };

    /// <summary>A 200 response with this exact JSON body (for hand-made embeddings or completions).</summary>
    public static ScriptedReply Json(string body) => new() { Body = body };

    /// <summary>An OpenAI-style error envelope <c>{"error":{"message","type","code"}}</c>.</summary>
    public static ScriptedReply Error(int statusCode, string message, string type = "api_error") =>
        Status(statusCode, JsonSerializer.Serialize(new { error = new { message, type, param = (string?)null, code = (string?)null } }));

    /// <summary>vLLM's older flat error object <c>{"object":"error","message","type","code"}</c>.</summary>
    public static ScriptedReply FlatError(int statusCode, string message, string type = "BadRequestError") =>
        Status(statusCode, JsonSerializer.Serialize(new { @object = "error", message, type, param = (string?)null, code = statusCode }));

    /// <summary>Ollama's answer for a model that has not been pulled: 404 <c>model "x" not found, try pulling it first</c>.</summary>
    public static ScriptedReply ModelNotFound(string model) =>
        Error(404, $"model \"{model}\" not found, try pulling it first", "not_found_error");

    /// <summary>llama-server while it loads the model: 503 <c>Loading model</c>.</summary>
    public static ScriptedReply Loading() => Error(503, "Loading model", "unavailable_error");

    /// <summary>A 200 stream that sends some text, then an <c>{"error":{…}}</c> object in a data line.</summary>
    public static ScriptedReply ErrorMidStream(string textBefore, string errorMessage) =>
        new() { Deltas = SplitWords(textBefore), MidStreamErrorMessage = errorMessage, FinishReason = null, Usage = UsageMode.Absent };

    /// <summary>A 200 stream that sends some text and then drops the connection.</summary>
    public static ScriptedReply Drop(string textBefore) =>
        new() { Deltas = SplitWords(textBefore), DropAfterDeltas = true, FinishReason = null, Usage = UsageMode.Absent };

    /// <summary>A 200 <c>text/event-stream</c> response whose body is exactly <paramref name="sse"/>.</summary>
    public static ScriptedReply RawSse(string sse) => new() { RawStream = sse };

    public ScriptedReply WithFirstByteDelay(TimeSpan delay) => this with { FirstByteDelay = delay };

    public ScriptedReply WithChunkDelay(TimeSpan delay) => this with { ChunkDelay = delay };

    public ScriptedReply WithUsage(UsageMode usage) => this with { Usage = usage };

    public ScriptedReply WithQuirks(StreamQuirks quirks) => this with { Quirks = Quirks | quirks };

    public ScriptedReply WithFinishReason(string? finishReason) => this with { FinishReason = finishReason };

    public ScriptedReply WithReportedModel(string model) => this with { ReportedModel = model };

    /// <summary>The full answer text (deltas joined).</summary>
    public string FullText => string.Concat(Deltas);

    /// <summary>Completion tokens reported in usage: one per delta.</summary>
    public int CompletionTokens => Deltas.Count;

    private static string[] SplitWords(string text)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && (i + 1 == text.Length || text[i + 1] != ' '))
            {
                parts.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            parts.Add(text[start..]);
        }
        return [.. parts];
    }
}
