using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI;
using OpenAI.Chat;

namespace PolicyChat.Core.Models;

/// <summary>Builds the model clients the application uses from validated options.</summary>
public static class ModelClients
{
    /// <summary>
    /// The chat client for <paramref name="options"/>: the OpenAI SDK's chat client as an M.E.AI <see cref="IChatClient"/>,
    /// wrapped (outermost first) in a <see cref="ResilientChatClient"/> (timeouts; retry and circuit breaker unless
    /// <paramref name="withBreaker"/> is false), logging, OpenTelemetry, the <see cref="OpenAiCompatibilityChatClient"/>
    /// and the configured temperature and output limit for calls that set none.
    /// </summary>
    /// <param name="httpClient">Shared client; null creates one with <see cref="ModelEndpoints.CreateHttpClient"/>.</param>
    public static IChatClient CreateChatClient(LlmOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null, bool withBreaker = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            throw new ArgumentException($"{LlmOptions.SectionName}:Endpoint and {LlmOptions.SectionName}:Model must be set to create a chat client.", nameof(options));
        }
        var context = new ModelCallContext(LlmOptions.SectionName, ModelEndpoints.BaseUrl(options.Endpoint), options.Model, TimeSpan.FromSeconds(options.TimeoutSeconds));
        // M.E.AI's call logging (and the OpenTelemetry client's exception log) only when asked for at Debug: they log every
        // failed call with its stack trace, where a model that is not running is a state that ModelAvailability logs once.
        // UseLogging adds nothing for the NullLoggerFactory.
        var callLogging = loggerFactory is not null && loggerFactory.CreateLogger<LoggingChatClient>().IsEnabled(LogLevel.Debug) ? loggerFactory : null;
        return new ChatClientBuilder(CreateOpenAiClient(options.ApiKey, context, httpClient).GetChatClient(options.Model).AsIChatClient())
            .Use(inner => new ResilientChatClient(inner, TimeSpan.FromSeconds(options.FirstTokenTimeoutSeconds), TimeSpan.FromSeconds(options.TimeoutSeconds),
                withBreaker ? TimeSpan.FromSeconds(options.ProbeIntervalSeconds) : null, loggerFactory?.CreateLogger<ResilientChatClient>()))
            .UseLogging(callLogging ?? NullLoggerFactory.Instance)
            .UseOpenTelemetry(callLogging, sourceName: "PolicyChat")
            .Use(inner => new OpenAiCompatibilityChatClient(inner, context))
            .ConfigureOptions(chat =>
            {
                chat.Temperature ??= options.Temperature;
                var maxTokens = chat.MaxOutputTokens ??= options.MaxOutputTokens;
                var previous = chat.RawRepresentationFactory;
                // Ollama reads max_tokens, where the SDK sends only max_completion_tokens. JsonPatch is the SDK's way to add a field.
#pragma warning disable SCME0001
                chat.RawRepresentationFactory = client =>
                {
                    var raw = previous?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
                    raw.Patch.Set("$.max_tokens"u8, maxTokens);
                    return raw;
                };
#pragma warning restore SCME0001
            })
            .Build();
    }

    /// <summary>
    /// The SDK's embedding client as an M.E.AI generator (through the <see cref="ResponseBodyPolicy"/>), or null when
    /// embeddings are disabled. Failures become <see cref="ModelException"/>s; every answer must hold one vector per
    /// input, all of one size (<see cref="EmbeddingOptions.Dimensions"/> when set). Callers batch (<see cref="EmbeddingOptions.BatchSize"/>).
    /// </summary>
    /// <param name="httpClient">Shared client (see <see cref="ModelEndpoints.CreateHttpClient"/>); not disposed here.</param>
    public static IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(EmbeddingOptions options, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (!options.Enabled)
        {
            return null;
        }
        var context = new ModelCallContext(EmbeddingOptions.SectionName, ModelEndpoints.BaseUrl(options.Endpoint), options.Model, TimeSpan.FromSeconds(options.TimeoutSeconds));
        return CreateOpenAiClient(options.ApiKey, context, httpClient).GetEmbeddingClient(options.Model).AsIEmbeddingGenerator(options.Dimensions)
            .AsBuilder().Use(async (values, generationOptions, inner, cancellationToken) =>
            {
                var inputs = values as IReadOnlyCollection<string> ?? values.ToList();
                if (inputs.Count == 0)
                {
                    return [];
                }
                var embedded = await ModelErrors.MapFailuresAsync(() => inner.GenerateAsync(inputs, generationOptions, cancellationToken), context, cancellationToken);
                var size = generationOptions?.Dimensions ?? options.Dimensions ?? embedded.FirstOrDefault()?.Vector.Length;
                if (embedded.Count != inputs.Count)
                {
                    throw ModelErrors.InvalidResponse(context, $"{embedded.Count} embeddings for {inputs.Count} inputs");
                }
                if (embedded.FirstOrDefault(e => e.Vector.Length != size || size == 0) is { } odd)
                {
                    throw ModelErrors.InvalidResponse(context, options.Dimensions is { } d && generationOptions?.Dimensions is null
                        ? $"a vector of {odd.Vector.Length} dimensions where {EmbeddingOptions.SectionName}:Dimensions is {d}"
                        : $"vectors of {size} and {odd.Vector.Length} dimensions in one answer");
                }
                return embedded;
            }).Build();
    }

    /// <summary>
    /// An SDK client without its own retries (a retried generation waits its whole timeout again; retrying is the
    /// <see cref="ResilientChatClient"/>'s decision), with <c>NetworkTimeout</c> = the whole-answer bound, our HTTP
    /// client, no Authorization header when no key is set, and the <see cref="ResponseBodyPolicy"/>.
    /// </summary>
    internal static OpenAIClient CreateOpenAiClient(string apiKey, ModelCallContext context, HttpClient? httpClient)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(context.Endpoint + "/v1"),
            NetworkTimeout = context.Timeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            UserAgentApplicationId = "PolicyChat",
            Transport = new HttpClientPipelineTransport(httpClient ?? ModelEndpoints.CreateHttpClient()),
        };
        clientOptions.AddPolicy(new ResponseBodyPolicy(context), PipelinePosition.BeforeTransport);
#pragma warning disable OPENAI001 // The AuthenticationPolicy constructor is marked for evaluation; it is the only way to send no key at all.
        return string.IsNullOrEmpty(apiKey)
            ? new OpenAIClient(new NoAuthenticationPolicy(), clientOptions)
            : new OpenAIClient(new ApiKeyCredential(apiKey), clientOptions);
#pragma warning restore OPENAI001
    }

    private sealed class NoAuthenticationPolicy : AuthenticationPolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessNext(message, pipeline, currentIndex);

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessNextAsync(message, pipeline, currentIndex);
    }
}
