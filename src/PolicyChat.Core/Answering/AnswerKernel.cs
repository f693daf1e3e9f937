using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace PolicyChat.Core.Answering;

/// <summary>The Semantic Kernel the prompt functions run on: its chat service is the configured model's <see cref="IChatClient"/>.</summary>
public static class AnswerKernel
{
    public static Kernel Create(IChatClient chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(chat);
        return builder.Build();
    }

    /// <summary>The answer functions' execution settings from <c>Llm:Model</c>, <c>Llm:Temperature</c>, <c>Llm:MaxOutputTokens</c>.</summary>
    public static PromptExecutionSettings? Settings(ChatOptions? options)
    {
        if (options is null)
        {
            return null;
        }
        var settings = new PromptExecutionSettings { ModelId = options.ModelId, ExtensionData = new Dictionary<string, object>() };
        if (options.Temperature is { } temperature)
        {
            settings.ExtensionData["temperature"] = temperature;
        }
        if (options.MaxOutputTokens is { } maxTokens)
        {
            settings.ExtensionData["max_tokens"] = maxTokens;
        }
        return settings;
    }
}
