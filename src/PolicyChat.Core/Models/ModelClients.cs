using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace PolicyChat.Core.Models;

/// <summary>Builds the model clients the application uses from validated options.</summary>
public static class ModelClients
{
    /// <summary>
    /// The chat client for <paramref name="options"/>: the OpenAI SDK's chat client as an M.E.AI <see cref="IChatClient"/>,
    /// wrapped (outermost first) in a <see cref="CircuitBreakerChatClient"/> (unless <paramref name="withBreaker"/> is
    /// false), logging, OpenTelemetry, a <see cref="TimeoutChatClient"/> and the <see cref="OpenAiCompatibilityChatClient"/>.
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
        var sdk = CreateOpenAiClient(options.Endpoint, options.ApiKey, context, httpClient).GetChatClient(options.Model).AsIChatClient();
        var builder = new ChatClientBuilder(sdk);
        if (withBreaker)
        {
            builder.Use(inner => new CircuitBreakerChatClient(inner, options, loggerFactory?.CreateLogger<CircuitBreakerChatClient>()));
        }
        if (loggerFactory is not null)
        {
            builder.UseLogging(loggerFactory);
        }
        return builder
            .UseOpenTelemetry(loggerFactory, sourceName: "PolicyChat")
            .Use(inner => new TimeoutChatClient(inner, options))
            .Use(inner => new OpenAiCompatibilityChatClient(inner, context, options))
            .Build();
    }

    /// <summary>The embedding generator for <paramref name="options"/>, or null when embeddings are disabled (no model).</summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(EmbeddingOptions options, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Enabled ? new OpenAiCompatibleEmbeddingGenerator(options, httpClient) : null;
    }

    /// <summary>
    /// An SDK client without its own retries (a retried generation waits its whole timeout again; retrying is the
    /// circuit breaker's decision), with <c>NetworkTimeout</c> = the whole-answer bound, our HTTP client, no
    /// Authorization header when no key is set, and the <see cref="JsonBodyPolicy"/>.
    /// </summary>
    internal static OpenAIClient CreateOpenAiClient(string endpoint, string apiKey, ModelCallContext context, HttpClient? httpClient, PipelinePolicy? policy = null)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = ModelEndpoints.V1(endpoint),
            NetworkTimeout = context.Timeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            UserAgentApplicationId = "PolicyChat",
            Transport = new HttpClientPipelineTransport(httpClient ?? ModelEndpoints.CreateHttpClient()),
        };
        clientOptions.AddPolicy(new JsonBodyPolicy(context), PipelinePosition.BeforeTransport);
        if (policy is not null)
        {
            clientOptions.AddPolicy(policy, PipelinePosition.BeforeTransport);
        }
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
