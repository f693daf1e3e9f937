using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Models;

/// <summary>
/// The chat model behind an OpenAI-compatible server (Ollama, llama-server, vLLM). Bound from the <c>Llm</c>
/// configuration section.
/// </summary>
public sealed class LlmOptions
{
    public const string SectionName = "Llm";

    /// <summary>Base URL of the server, without <c>/v1</c> (Ollama: http://localhost:11434, llama-server: http://localhost:8080).</summary>
    public string Endpoint { get; set; } = "http://localhost:11434";

    /// <summary>Model name as the server knows it (Ollama tag, llama-server alias, vLLM served name). Empty disables the model.</summary>
    public string Model { get; set; } = "qwen2.5:7b";

    /// <summary>Bearer key; Ollama ignores it, llama-server/vLLM check it only when started with one. Empty sends no header.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Longest wait for a whole answer, streaming included.</summary>
    [Range(1, 3600, ErrorMessage = OptionChecks.Range)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>Longest wait for the first streamed text (a cold model load can take a while).</summary>
    [Range(1, 3600, ErrorMessage = OptionChecks.Range)]
    public int FirstTokenTimeoutSeconds { get; set; } = 60;

    [Range(0.0, 2.0, ErrorMessage = OptionChecks.Range)]
    public float Temperature { get; set; } = 0.2f;

    /// <summary>Longest answer, in tokens (sent as <c>max_tokens</c> and <c>max_completion_tokens</c>).</summary>
    [Range(1, 131072, ErrorMessage = OptionChecks.Range)]
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>The model's context window in tokens (Ollama: <c>OLLAMA_CONTEXT_LENGTH</c>); prompts are cut to fit it with the answer.</summary>
    [Range(257, 2_000_000, ErrorMessage = OptionChecks.Range)]
    public int ContextTokens { get; set; } = 8192;

    /// <summary>Seconds between background probes of a model that failed (answers are extractive meanwhile).</summary>
    [Range(1, 3600, ErrorMessage = OptionChecks.Range)]
    public int ProbeIntervalSeconds { get; set; } = 15;

    /// <summary>True when an endpoint and a model are configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);

    /// <summary>Problems with these settings, each naming the setting and what to fix; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            return string.IsNullOrWhiteSpace(Endpoint) == string.IsNullOrWhiteSpace(Model) ? []
                : [$"{SectionName}:Endpoint and {SectionName}:Model must both be set to use a language model, or both be empty to run without one"];
        }
        return OptionChecks.Problems(SectionName, this, Endpoint).Concat(new[]
        {
            FirstTokenTimeoutSeconds > TimeoutSeconds ? $"{SectionName}:FirstTokenTimeoutSeconds must not exceed {SectionName}:TimeoutSeconds ({TimeoutSeconds}) (it is {FirstTokenTimeoutSeconds})" : null,
            ContextTokens < MaxOutputTokens + 256 ? $"{SectionName}:ContextTokens must be at least {SectionName}:MaxOutputTokens + 256 ({MaxOutputTokens + 256}) so a prompt fits (it is {ContextTokens})" : null,
        }.OfType<string>());
    }
}
