using System.ComponentModel.DataAnnotations;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>Settings of the Qdrant index store, bound from the "Qdrant" configuration section.</summary>
public sealed class QdrantOptions
{
    public const string SectionName = "Qdrant";

    /// <summary>Qdrant's REST port, refused (PolicyChat talks gRPC on <see cref="GrpcPort"/>).</summary>
    public const int RestPort = 6333;

    public const int GrpcPort = 6334;

    private const string AtLeast = "{0} must be at least {1}.";
    private const string Between = "{0} must be between {1} and {2}.";

    /// <summary>gRPC endpoint (port 6334), or several peers of one cluster separated by commas (calls go to the first that answers).</summary>
    public string Url { get; set; } = "http://localhost:6334";

    /// <summary>Sent as the <c>api-key</c> header when set (Qdrant's <c>service.api_key</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>SHA-256 thumbprint (hex) of the server certificate to trust for https URLs (self-signed Qdrant); null uses the system trust store.</summary>
    [RegularExpression("^([0-9A-Fa-f]{2}[:-]?){31}[0-9A-Fa-f]{2}$", ErrorMessage = "{0} must be the SHA-256 fingerprint of the server certificate (64 hex digits).")]
    public string? CertificateThumbprint { get; set; }

    /// <summary>Chunk collection; the document registry lives in "{Collection}_documents".</summary>
    [Required(ErrorMessage = "{0} must be set.")]
    [RegularExpression("^[A-Za-z0-9_-]+$", ErrorMessage = "{0} must be a name of ASCII letters, digits, '_' or '-'.")]
    public string Collection { get; set; } = "policychat";

    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int Shards { get; set; } = 1;

    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int Replicas { get; set; } = 1;

    /// <summary>Deadline of one gRPC call attempt.</summary>
    [Range(1, int.MaxValue, ErrorMessage = AtLeast)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after the first attempt on Unavailable, ResourceExhausted and DeadlineExceeded.</summary>
    [Range(0, 20, ErrorMessage = Between)]
    public int Retries { get; set; } = 3;

    /// <summary>True: Qdrant fuses a prefetch per leg by RRF (weighted from 1.17). False: legs fused here by weighted RRF, with per-leg ranks.</summary>
    public bool ServerSideFusion { get; set; }

    /// <summary>Size of the dense vector "dense", created with the collection; null: sized by the first embedder recorded while it is empty.</summary>
    [Range(1, 65536, ErrorMessage = Between)]
    public int? DenseDimensions { get; set; }

    /// <summary>Points per upsert call.</summary>
    [Range(1, 10_000, ErrorMessage = Between)]
    public int BatchSize { get; set; } = 256;

    /// <summary>How long start-up waits for Qdrant's gRPC health check to answer.</summary>
    [Range(0, int.MaxValue, ErrorMessage = AtLeast)]
    public int ReadyTimeoutSeconds { get; set; } = 60;

    /// <summary>First retry delay; later ones grow exponentially with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = Between)]
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
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var errors = results.Select(r => $"{SectionName}:{r.ErrorMessage}").ToList();
        var urls = Split(options.Url);
        if (urls.Length == 0)
        {
            errors.Add($"{SectionName}:Url must name at least one gRPC endpoint such as http://localhost:{GrpcPort}.");
        }
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
            else if (Uri.TryCreate(urls[0], UriKind.Absolute, out var first) && uri.Scheme != first.Scheme)
            {
                errors.Add($"{SectionName}:Url peers must all use http or all https (got '{url}').");
            }
            else if (options.CertificateThumbprint is not null && uri.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{SectionName}:CertificateThumbprint needs https URLs (got '{url}').");
            }
        }
        return errors;
    }
}
