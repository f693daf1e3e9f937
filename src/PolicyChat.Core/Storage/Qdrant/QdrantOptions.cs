namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>Settings of the Qdrant index store, bound from the "Qdrant" configuration section.</summary>
public sealed class QdrantOptions
{
    public const string SectionName = "Qdrant";

    /// <summary>Qdrant's REST port, refused (PolicyChat talks gRPC on <see cref="GrpcPort"/>).</summary>
    public const int RestPort = 6333;

    public const int GrpcPort = 6334;

    /// <summary>gRPC endpoint (port 6334), or several peers of one cluster separated by commas (calls fail over between them).</summary>
    public string Url { get; set; } = "http://localhost:6334";

    /// <summary>Sent as the <c>api-key</c> header when set (Qdrant's <c>service.api_key</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>SHA-256 thumbprint (hex) of the server certificate to trust for https URLs (self-signed Qdrant); null uses the system trust store.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Chunk collection; the document registry lives in "{Collection}_documents".</summary>
    public string Collection { get; set; } = "policychat";

    public int Shards { get; set; } = 1;

    public int Replicas { get; set; } = 1;

    /// <summary>Deadline of one gRPC call attempt.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after the first attempt on Unavailable, ResourceExhausted and DeadlineExceeded (plus one attempt per extra peer).</summary>
    public int Retries { get; set; } = 3;

    /// <summary>True: Qdrant fuses a prefetch per leg by RRF (weighted from 1.17). False: legs fused here by weighted RRF, with per-leg ranks.</summary>
    public bool ServerSideFusion { get; set; }

    /// <summary>Size of the dense vector "dense", created with the collection; null: sized by the first embedder recorded while it is empty.</summary>
    public int? DenseDimensions { get; set; }

    /// <summary>Points per upsert call.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long start-up waits for Qdrant's gRPC health check to answer.</summary>
    public int ReadyTimeoutSeconds { get; set; } = 60;

    /// <summary>First retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The registry collection that holds one point per document plus the embedder record.</summary>
    public string DocumentsCollection => Collection + "_documents";

    /// <summary>The peers listed in <see cref="Url"/>; throws when <see cref="Validate"/> would report it.</summary>
    public IReadOnlyList<Uri> Peers() => Split(Url).Select(u => new Uri(u)).ToList();

    private static string[] Split(string? urls) => (urls ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Returns one message per invalid setting, naming the setting and what to fix; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(QdrantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var urls = Split(options.Url);
        Check(urls.Length > 0, $"{SectionName}:Url must name at least one gRPC endpoint such as http://localhost:{GrpcPort}.");
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{SectionName}:Url must be absolute http(s) gRPC URLs such as http://localhost:{GrpcPort} (got '{url}').");
            }
            else if (uri.Port == RestPort)
            {
                errors.Add($"{SectionName}:Url '{url}' is Qdrant's REST port {RestPort}; PolicyChat uses Qdrant's gRPC port {GrpcPort} (e.g. {uri.Scheme}://{uri.Host}:{GrpcPort}).");
            }
            else if (options.CertificateThumbprint is not null && uri.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{SectionName}:CertificateThumbprint needs https URLs (got '{url}').");
            }
        }
        Check(options.CertificateThumbprint?.Replace(":", "", StringComparison.Ordinal) is null or { Length: 64 },
            $"{SectionName}:CertificateThumbprint must be the SHA-256 fingerprint of the server certificate (64 hex digits).");
        Check(!string.IsNullOrWhiteSpace(options.Collection) && options.Collection.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'),
            $"{SectionName}:Collection must be a non-empty name of ASCII letters, digits, '_' or '-' (got '{options.Collection}').");
        Check(options.Shards >= 1, $"{SectionName}:Shards must be at least 1 (got {options.Shards}).");
        Check(options.Replicas >= 1, $"{SectionName}:Replicas must be at least 1 (got {options.Replicas}).");
        Check(options.TimeoutSeconds >= 1, $"{SectionName}:TimeoutSeconds must be at least 1 (got {options.TimeoutSeconds}).");
        Check(options.Retries is >= 0 and <= 20, $"{SectionName}:Retries must be between 0 and 20 (got {options.Retries}).");
        Check(options.DenseDimensions is null or (>= 1 and <= 65536), $"{SectionName}:DenseDimensions must be between 1 and 65536 when set (got {options.DenseDimensions}).");
        Check(options.BatchSize is >= 1 and <= 10_000, $"{SectionName}:BatchSize must be between 1 and 10000 (got {options.BatchSize}).");
        Check(options.ReadyTimeoutSeconds >= 0, $"{SectionName}:ReadyTimeoutSeconds must not be negative (got {options.ReadyTimeoutSeconds}).");
        Check(options.RetryBaseDelay >= TimeSpan.Zero, $"{SectionName}:RetryBaseDelay must not be negative (got {options.RetryBaseDelay}).");
        return errors;

        void Check(bool valid, string message)
        {
            if (!valid)
            {
                errors.Add(message);
            }
        }
    }
}
