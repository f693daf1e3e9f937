using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;
using OpenAiFinishReason = OpenAI.Chat.ChatFinishReason;

namespace PolicyChat.Core.Models;

/// <summary>
/// <see cref="IChatClient"/> over the official OpenAI SDK's <see cref="ChatClient"/>, for OpenAI-compatible servers
/// (Ollama, llama-server, vLLM). Every failure surfaces as a <see cref="ModelException"/> (see
/// <see cref="ModelFailureKind"/>) except cancellation by the caller, which stays an
/// <see cref="OperationCanceledException"/>; the token reaches the HTTP call, so cancelling closes the connection.
/// </summary>
/// <remarks>
/// Choices made on the SDK:
/// <list type="bullet">
/// <item>No SDK retries (<c>RetryPolicy = new ClientRetryPolicy(0)</c>). The SDK would retry 408/429/5xx and network
/// failures three times with back-off, and each retry of a timed-out generation waits the full timeout again (minutes
/// for one question); a local server that is loading or down does not recover in seconds. Retries, if wanted, belong
/// to the caller (Polly), who knows whether output was already shown.</item>
/// <item><c>NetworkTimeout</c> = <see cref="LlmOptions.TimeoutSeconds"/>: it bounds the wait for headers and, for
/// streams, each read. The first-token and whole-answer bounds are <see cref="TimeoutChatClient"/>'s job.</item>
/// <item>The output limit is sent as <c>max_tokens</c>, not the SDK's <c>max_completion_tokens</c>, which Ollama's
/// OpenAI layer ignores; llama-server and vLLM read both names.</item>
/// <item>An <see cref="SseGuardPolicy"/> turns error objects inside a 200 stream, and streams that end early, into
/// exceptions (the SDK alone ignores the first and accepts the second).</item>
/// </list>
/// </remarks>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly OpenAIClient _client;
    private readonly ChatClient _defaultChat;
    private readonly LlmOptions _options;
    private readonly ChatClientMetadata _metadata;
    private readonly string _baseUrl;

    /// <param name="options">Endpoint, model, key and defaults; must be <see cref="LlmOptions.Enabled"/>.</param>
    /// <param name="httpClient">The HTTP client to send with (see <see cref="ModelEndpoints.CreateHttpClient"/>);
    /// null uses the SDK's shared client.</param>
    public OpenAiCompatibleChatClient(LlmOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            throw new ArgumentException($"{LlmOptions.SectionName}:Endpoint and {LlmOptions.SectionName}:Model must be set to create a chat client.", nameof(options));
        }
        _options = options;
        _baseUrl = ModelEndpoints.BaseUrl(options.Endpoint);
        var context = Context(options.Model);

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = ModelEndpoints.V1(options.Endpoint),
            NetworkTimeout = TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            UserAgentApplicationId = "PolicyChat",
        };
        if (httpClient is not null)
        {
            clientOptions.Transport = new HttpClientPipelineTransport(httpClient);
        }
        clientOptions.AddPolicy(new SseGuardPolicy(context), PipelinePosition.BeforeTransport);

#pragma warning disable OPENAI001 // The AuthenticationPolicy constructor is marked for evaluation; it is the only way to send no key at all.
        _client = string.IsNullOrEmpty(options.ApiKey)
            ? new OpenAIClient(new NoAuthenticationPolicy(), clientOptions)
            : new OpenAIClient(new ApiKeyCredential(options.ApiKey), clientOptions);
#pragma warning restore OPENAI001
        _defaultChat = _client.GetChatClient(options.Model);
        _metadata = new ChatClientMetadata("openai-compatible", new Uri(_baseUrl), options.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (chat, model) = ChatFor(options);
        var context = Context(model);
        var request = ToOpenAiMessages(messages);
        var requestOptions = ToOpenAiOptions(options);

        ClientResult<ChatCompletion> result;
        try
        {
            result = await chat.CompleteChatAsync(request, requestOptions, cancellationToken);
        }
        catch (Exception ex) when (ModelErrors.TryMap(ex, context, cancellationToken, out var mapped))
        {
            throw mapped;
        }

        CheckCompletionBody(result.GetRawResponse().Content, context);
        var completion = result.Value;
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        var message = new AiChatMessage(ChatRole.Assistant, text) { MessageId = completion.Id, RawRepresentation = completion };
        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt == default ? null : completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (chat, model) = ChatFor(options);
        var context = Context(model);
        var request = ToOpenAiMessages(messages);
        var requestOptions = ToOpenAiOptions(options);

        var updates = chat.CompleteChatStreamingAsync(request, requestOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                StreamingChatCompletionUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        yield break;
                    }
                    update = updates.Current;
                }
                catch (Exception ex) when (ModelErrors.TryMap(ex, context, cancellationToken, out var mapped))
                {
                    throw mapped;
                }
                yield return ToUpdate(update);
            }
        }
        finally
        {
            try
            {
                await updates.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
            {
                // Closing a broken or cancelled stream; the failure that matters has already been reported.
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }
        if (serviceType == typeof(ChatClient))
        {
            return _defaultChat;
        }
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The pipeline owns no unmanaged state; a caller-provided HttpClient stays the caller's.
    }

    private ModelCallContext Context(string model) =>
        new(LlmOptions.SectionName, _baseUrl, model, TimeSpan.FromSeconds(Math.Max(1, _options.TimeoutSeconds)));

    private (ChatClient Chat, string Model) ChatFor(ChatOptions? options) =>
        options?.ModelId is { Length: > 0 } model && model != _options.Model
            ? (_client.GetChatClient(model), model)
            : (_defaultChat, _options.Model);

    private static List<OpenAiChatMessage> ToOpenAiMessages(IEnumerable<AiChatMessage> messages)
    {
        var result = new List<OpenAiChatMessage>();
        foreach (var message in messages)
        {
            var text = message.Text;
            OpenAiChatMessage converted = message.Role.Value switch
            {
                "system" or "developer" => new SystemChatMessage(text),
                "user" => new UserChatMessage(text),
                "assistant" => new AssistantChatMessage(text),
                _ => throw new NotSupportedException($"Chat role '{message.Role}' is not supported by {nameof(OpenAiCompatibleChatClient)}."),
            };
            result.Add(converted);
        }
        if (result.Count == 0)
        {
            throw new ArgumentException("At least one chat message is required.", nameof(messages));
        }
        return result;
    }

    private ChatCompletionOptions ToOpenAiOptions(ChatOptions? options)
    {
        var result = new ChatCompletionOptions
        {
            Temperature = options?.Temperature ?? _options.Temperature,
            TopP = options?.TopP,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
        };
        if (options?.StopSequences is { } stops)
        {
            foreach (var stop in stops)
            {
                result.StopSequences.Add(stop);
            }
        }
        if (options?.ResponseFormat is ChatResponseFormatJson)
        {
            result.ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat();
        }

#pragma warning disable SCME0001 // JsonPatch is experimental; it is the SDK's documented way to send fields it does not model.
        result.Patch.Set("$.max_tokens"u8, options?.MaxOutputTokens ?? _options.MaxOutputTokens);
        if (options?.Seed is { } seed)
        {
            result.Patch.Set("$.seed"u8, seed);
        }
        if (options?.AdditionalProperties is { } extra)
        {
            foreach (var (key, value) in extra)
            {
                var path = System.Text.Encoding.UTF8.GetBytes("$." + key);
                switch (value)
                {
                    case string s: result.Patch.Set(path, s); break;
                    case bool b: result.Patch.Set(path, b); break;
                    case int i: result.Patch.Set(path, i); break;
                    case long l: result.Patch.Set(path, l); break;
                    case double d: result.Patch.Set(path, d); break;
                    case float f: result.Patch.Set(path, f); break;
                    case JsonElement json: result.Patch.Set(path, BinaryData.FromString(json.GetRawText())); break;
                    default: break;
                }
            }
        }
#pragma warning restore SCME0001
        return result;
    }

    /// <summary>A 200 body that is an error object, or has no choices, is not an answer.</summary>
    private static void CheckCompletionBody(BinaryData? body, ModelCallContext context)
    {
        if (body is null)
        {
            throw ModelErrors.InvalidResponse(context, "an empty body");
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("choices", out _) && ModelErrors.TryGetErrorMessage(root, out var message, out var code))
            {
                throw ModelErrors.ErrorInBody(message, code, context);
            }
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices)
                || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                throw ModelErrors.InvalidResponse(context, "no choices in the completion");
            }
        }
        catch (JsonException ex)
        {
            throw ModelErrors.InvalidResponse(context, "the completion is not JSON", ex);
        }
    }

    private static ChatResponseUpdate ToUpdate(StreamingChatCompletionUpdate update)
    {
        var result = new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            ModelId = update.Model,
            CreatedAt = update.CreatedAt == default ? null : update.CreatedAt,
            FinishReason = ToFinishReason(update.FinishReason),
            RawRepresentation = update,
        };
        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
            {
                result.Contents.Add(new TextContent(part.Text));
            }
        }
        if (ToUsage(update.Usage) is { } usage)
        {
            result.Contents.Add(new UsageContent(usage));
        }
        return result;
    }

    private static AiFinishReason? ToFinishReason(OpenAiFinishReason? reason) => reason switch
    {
        null => null,
        OpenAiFinishReason.Stop => AiFinishReason.Stop,
        OpenAiFinishReason.Length => AiFinishReason.Length,
        OpenAiFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        OpenAiFinishReason.ToolCalls or OpenAiFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        _ => AiFinishReason.Stop,
    };

    private static UsageDetails? ToUsage(ChatTokenUsage? usage) => usage is null
        ? null
        : new UsageDetails
        {
            InputTokenCount = usage.InputTokenCount,
            OutputTokenCount = usage.OutputTokenCount,
            TotalTokenCount = usage.TotalTokenCount,
        };

    /// <summary>Sends no Authorization header (servers started without a key).</summary>
    private sealed class NoAuthenticationPolicy : AuthenticationPolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessNext(message, pipeline, currentIndex);

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessNextAsync(message, pipeline, currentIndex);
    }
}
