using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Models;

/// <summary>
/// The embedding model behind an OpenAI-compatible <c>/v1/embeddings</c> endpoint (e.g. <c>bge-m3</c>). Bound from the
/// <c>Embedding</c> configuration section. An empty <see cref="ModelServerOptions.Model"/> (the default) means no dense
/// vectors (keyword search only).
/// </summary>
public sealed class EmbeddingOptions() : ModelServerOptions(SectionName, defaultModel: "")
{
    public const string SectionName = "Embedding";

    /// <summary>Texts per <c>/v1/embeddings</c> request.</summary>
    [Range(1, 2048, ErrorMessage = RangeMessage)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Expected vector size; when set it is sent as <c>dimensions</c> and every vector is checked against it.</summary>
    [Range(1, 65536, ErrorMessage = RangeMessage)]
    public int? Dimensions { get; set; }

    /// <summary>The embedding model's input limit in tokens (bge-m3: 8192); chunks sized in tokens stay below it.</summary>
    [Range(128, 1_000_000, ErrorMessage = RangeMessage)]
    public int MaxInputTokens { get; set; } = 8192;
}
