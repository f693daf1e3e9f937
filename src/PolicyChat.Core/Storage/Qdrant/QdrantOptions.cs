namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>Settings of the Qdrant index store, bound from the "Qdrant" configuration section.</summary>
public sealed class QdrantOptions
{
    public const string SectionName = "Qdrant";

    /// <summary>REST endpoint (port 6333), e.g. http://localhost:6333.</summary>
    public string Url { get; set; } = "http://localhost:6333";

    /// <summary>Sent as the <c>api-key</c> header when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Chunk collection; the document registry lives in "{Collection}_documents".</summary>
    public string Collection { get; set; } = "policychat";

    public int Shards { get; set; } = 1;

    public int Replicas { get; set; } = 1;

    /// <summary>Per-attempt timeout of one HTTP request.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after the first attempt on 429, 502, 503, 504, connection errors and timeouts.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>
    /// True: one hybrid query, a prefetch per leg fused by Qdrant's weighted RRF (Qdrant 1.17+).
    /// False (default): the legs are fetched in one batch request and fused here with the same weighted RRF (any Qdrant 1.10+; also reports per-leg ranks).
    /// </summary>
    public bool ServerSideFusion { get; set; }

    /// <summary>
    /// Size of the named dense vector "dense" created with the collection. Null creates no dense vector; it is then added
    /// by <see cref="QdrantIndexStore.SetEmbedderAsync"/> (Qdrant 1.19+) or the collection must be re-created.
    /// </summary>
    public int? DenseDimensions { get; set; }

    /// <summary>Points per upsert request (kept far below Qdrant's 32 MB request limit).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long <see cref="QdrantIndexStore.InitializeAsync(CancellationToken)"/> waits for GET /readyz.</summary>
    public int ReadyTimeoutSeconds { get; set; } = 60;

    /// <summary>First retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The registry collection that holds one point per document plus the embedder record.</summary>
    public string DocumentsCollection => Collection + "_documents";

    /// <summary>Returns one message per invalid setting, naming the setting and what to fix; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(QdrantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{SectionName}:Url must be an absolute http(s) URL such as http://localhost:6333 (got '{options.Url}').");
        }
        if (string.IsNullOrWhiteSpace(options.Collection) || !options.Collection.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            errors.Add($"{SectionName}:Collection must be a non-empty name of ASCII letters, digits, '_' or '-' (got '{options.Collection}').");
        }
        if (options.Shards < 1)
        {
            errors.Add($"{SectionName}:Shards must be at least 1 (got {options.Shards}).");
        }
        if (options.Replicas < 1)
        {
            errors.Add($"{SectionName}:Replicas must be at least 1 (got {options.Replicas}).");
        }
        if (options.TimeoutSeconds < 1)
        {
            errors.Add($"{SectionName}:TimeoutSeconds must be at least 1 (got {options.TimeoutSeconds}).");
        }
        if (options.Retries < 0 || options.Retries > 20)
        {
            errors.Add($"{SectionName}:Retries must be between 0 and 20 (got {options.Retries}).");
        }
        if (options.DenseDimensions is < 1 or > 65536)
        {
            errors.Add($"{SectionName}:DenseDimensions must be between 1 and 65536 when set (got {options.DenseDimensions}).");
        }
        if (options.BatchSize is < 1 or > 10_000)
        {
            errors.Add($"{SectionName}:BatchSize must be between 1 and 10000 (got {options.BatchSize}).");
        }
        if (options.ReadyTimeoutSeconds < 0)
        {
            errors.Add($"{SectionName}:ReadyTimeoutSeconds must not be negative (got {options.ReadyTimeoutSeconds}).");
        }
        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:RetryBaseDelay must not be negative (got {options.RetryBaseDelay}).");
        }
        return errors;
    }
}
