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
    public int BatchSize { get; set; } = 32;

    /// <summary>Expected vector size; when set it is sent as <c>dimensions</c> and every vector is checked against it.</summary>
    public int? Dimensions { get; set; }

    /// <summary>The embedding model's input limit in tokens (bge-m3: 8192); chunks sized in tokens stay below it.</summary>
    public int MaxInputTokens { get; set; } = 8192;

    /// <summary>Longest wait for one batch.</summary>
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>True when an endpoint and a model are configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);

    /// <summary>Problems with these settings, each naming the setting and what to fix; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            if (!string.IsNullOrWhiteSpace(Model))
            {
                yield return $"{SectionName}:Endpoint must be set when {SectionName}:Model is set";
            }
            yield break;
        }
        if (OptionChecks.EndpointProblem(SectionName, Endpoint) is { } endpointProblem)
        {
            yield return endpointProblem;
        }
        if (BatchSize is < 1 or > 2048)
        {
            yield return $"{SectionName}:BatchSize must be between 1 and 2048 (it is {BatchSize})";
        }
        if (Dimensions is < 1 or > 65536)
        {
            yield return $"{SectionName}:Dimensions must be empty or between 1 and 65536 (it is {Dimensions})";
        }
        if (MaxInputTokens is < 128 or > 1_000_000)
        {
            yield return $"{SectionName}:MaxInputTokens must be between 128 and 1000000 (it is {MaxInputTokens})";
        }
        if (TimeoutSeconds is < 1 or > 3600)
        {
            yield return $"{SectionName}:TimeoutSeconds must be between 1 and 3600 (it is {TimeoutSeconds})";
        }
    }
}
