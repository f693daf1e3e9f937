using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Models;

/// <summary>
/// The chat model behind an OpenAI-compatible server (Ollama, llama-server, vLLM). Bound from the <c>Llm</c>
/// configuration section.
/// </summary>
public sealed class LlmOptions() : ModelServerOptions(SectionName, defaultModel: "qwen2.5:7b")
{
    public const string SectionName = "Llm";

    /// <summary>Longest wait for the first streamed text (a cold model load can take a while).</summary>
    [Range(1, 3600, ErrorMessage = RangeMessage)]
    public int FirstTokenTimeoutSeconds { get; set; } = 60;

    [Range(0.0, 2.0, ErrorMessage = RangeMessage)]
    public float Temperature { get; set; } = 0.2f;

    /// <summary>Longest answer, in tokens (sent as <c>max_tokens</c> and <c>max_completion_tokens</c>).</summary>
    [Range(1, 131072, ErrorMessage = RangeMessage)]
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>The model's context window in tokens (Ollama: <c>OLLAMA_CONTEXT_LENGTH</c>); prompts are cut to fit it with the answer.</summary>
    [Range(257, 2_000_000, ErrorMessage = RangeMessage)]
    public int ContextTokens { get; set; } = 8192;

    /// <summary>Seconds between background probes of a model that failed (answers are extractive meanwhile).</summary>
    [Range(1, 3600, ErrorMessage = RangeMessage)]
    public int ProbeIntervalSeconds { get; set; } = 15;

    /// <inheritdoc/>
    protected override IEnumerable<string?> CrossChecks() =>
    [
        FirstTokenTimeoutSeconds > TimeoutSeconds ? $"{SectionName}:FirstTokenTimeoutSeconds must not exceed {SectionName}:TimeoutSeconds ({TimeoutSeconds}) (it is {FirstTokenTimeoutSeconds})" : null,
        ContextTokens < MaxOutputTokens + 256 ? $"{SectionName}:ContextTokens must be at least {SectionName}:MaxOutputTokens + 256 ({MaxOutputTokens + 256}) so a prompt fits (it is {ContextTokens})" : null,
    ];
}
