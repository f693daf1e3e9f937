using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Models;

/// <summary>
/// The embedding model behind an OpenAI-compatible <c>/v1/embeddings</c> endpoint. Bound from the <c>Embedding</c>
/// configuration section. An empty <see cref="Model"/> means no dense vectors (keyword search only).
/// </summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Embedding";

    /// <summary>Base URL of the server, without <c>/v1</c>.</summary>
    public string Endpoint { get; set; } = "http://localhost:11434";

    /// <summary>Embedding model name (e.g. <c>bge-m3</c>); empty disables dense vectors.</summary>
    public string Model { get; set; } = "";

    /// <summary>Bearer key; empty sends no header.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Texts per <c>/v1/embeddings</c> request.</summary>
    [Range(1, 2048, ErrorMessage = OptionChecks.Range)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Expected vector size; when set it is sent as <c>dimensions</c> and every vector is checked against it.</summary>
    [Range(1, 65536, ErrorMessage = OptionChecks.Range)]
    public int? Dimensions { get; set; }

    /// <summary>The embedding model's input limit in tokens (bge-m3: 8192); chunks sized in tokens stay below it.</summary>
    [Range(128, 1_000_000, ErrorMessage = OptionChecks.Range)]
    public int MaxInputTokens { get; set; } = 8192;

    /// <summary>Longest wait for one batch.</summary>
    [Range(1, 3600, ErrorMessage = OptionChecks.Range)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>True when an endpoint and a model are configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);

    /// <summary>Problems with these settings, each naming the setting and what to fix; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            return string.IsNullOrWhiteSpace(Model) ? [] : [$"{SectionName}:Endpoint must be set when {SectionName}:Model is set"];
        }
        return OptionChecks.Problems(SectionName, this, Endpoint);
    }
}
