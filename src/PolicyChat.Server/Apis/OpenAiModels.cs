using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyChat.Core.Answering;

namespace PolicyChat.Server.Apis;

/// <summary>The parts of an OpenAI chat completion request that PolicyChat reads.</summary>
public sealed record ChatCompletionRequest(
    string? Model,
    IReadOnlyList<ChatCompletionRequestMessage>? Messages,
    bool? Stream = null,
    ChatStreamOptions? StreamOptions = null,
    string? User = null,
    Dictionary<string, JsonElement>? Metadata = null)
{
    /// <summary>Every other member of the request (max_tokens, n, temperature…), checked by <see cref="OpenAiRequestChecks"/>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; init; }
}

public sealed record ChatStreamOptions(bool? IncludeUsage = null);

/// <summary>A message; <c>content</c> is a string or an array of content parts (only text parts are read).</summary>
public sealed record ChatCompletionRequestMessage(string? Role, JsonElement Content)
{
    public string Text() => Content.ValueKind switch
    {
        JsonValueKind.String => Content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(Content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };
}

public sealed record ChatUsage(int PromptTokens, int CompletionTokens, int TotalTokens);

/// <summary>The assistant message, with the verified citations of its [n] markers.</summary>
public sealed record ChatCompletionMessage(string Role, string Content, IReadOnlyList<Citation> Citations);

public sealed record ChatCompletionChoice(
    int Index,
    ChatCompletionMessage Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string FinishReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null);

/// <summary>POST /v1/chat/completions without streaming; <c>conversation_id</c> and <c>mode</c> are PolicyChat extras.</summary>
public sealed record ChatCompletion(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChoice> Choices,
    ChatUsage Usage,
    string ConversationId,
    string Mode);

public sealed record ChatChunkDelta(string? Role = null, string? Content = null);

public sealed record ChatChunkChoice(
    int Index,
    ChatChunkDelta Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null);

/// <summary>One <c>chat.completion.chunk</c>; the final chunk (finish_reason "stop") carries <c>citations</c>, <c>conversation_id</c> and <c>mode</c>.</summary>
public sealed record ChatCompletionChunk(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    string Model,
    IReadOnlyList<ChatChunkChoice> Choices,
    ChatUsage? Usage = null,
    IReadOnlyList<Citation>? Citations = null,
    string? ConversationId = null,
    string? Mode = null);

public sealed record ModelJson(string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy);

public sealed record ModelListJson([property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<ModelJson> Data);
