using Microsoft.Extensions.AI;

namespace PolicyChat.Core.Models;

/// <summary>Builds the model clients the application uses from validated options.</summary>
public static class ModelClients
{
    /// <summary>
    /// The chat client for <paramref name="options"/>: <see cref="OpenAiCompatibleChatClient"/> wrapped in a
    /// <see cref="TimeoutChatClient"/> with <see cref="LlmOptions.FirstTokenTimeoutSeconds"/> and
    /// <see cref="LlmOptions.TimeoutSeconds"/>.
    /// </summary>
    public static IChatClient CreateChatClient(LlmOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TimeoutChatClient(new OpenAiCompatibleChatClient(options, httpClient), options);
    }

    /// <summary>The embedding generator for <paramref name="options"/>, or null when embeddings are disabled (no model).</summary>
    public static IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(EmbeddingOptions options, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Enabled ? new OpenAiCompatibleEmbeddingGenerator(options, httpClient) : null;
    }
}
