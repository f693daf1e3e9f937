namespace PolicyChat.Server;

/// <summary>
/// The <c>RateLimits</c> section. Every budget is per client: per API key, or per client IP address when the caller
/// has no key. A client's budget is shared by all its connections and requests.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Sustained /api and /v1 requests per minute per client.</summary>
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Requests that may be made at once before the per-minute rate applies.</summary>
    public int Burst { get; set; } = 30;

    /// <summary>Sustained hub questions per minute per client, across all its hub connections.</summary>
    public int HubQuestionsPerMinute { get; set; } = 30;

    /// <summary>Hub questions a client may ask at once before the per-minute rate applies.</summary>
    public int HubBurst { get; set; } = 10;

    /// <summary>Sustained new hub connections per minute per client.</summary>
    public int HubConnectionsPerMinute { get; set; } = 60;

    /// <summary>New hub connections a client may open at once before the per-minute rate applies.</summary>
    public int HubConnectionBurst { get; set; } = 20;

    /// <summary>Answers (hub, /api/ask, /api/ask/stream, /v1/chat/completions) one client may have running at the same time.</summary>
    public int ConcurrentAnswersPerClient { get; set; } = 4;

    /// <summary>Characters of extracted text one client may upload per minute (all files, all requests).</summary>
    public int UploadTextCharsPerMinute { get; set; } = 20_000_000;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, value) in new (string, long)[]
        {
            (nameof(RequestsPerMinute), RequestsPerMinute), (nameof(Burst), Burst),
            (nameof(HubQuestionsPerMinute), HubQuestionsPerMinute), (nameof(HubBurst), HubBurst),
            (nameof(HubConnectionsPerMinute), HubConnectionsPerMinute), (nameof(HubConnectionBurst), HubConnectionBurst),
            (nameof(ConcurrentAnswersPerClient), ConcurrentAnswersPerClient),
        })
        {
            if (value is < 1 or > 1_000_000)
            {
                yield return $"{SectionName}:{name} must be between 1 and 1000000 (it is {value}).";
            }
        }
        if (UploadTextCharsPerMinute is < 1000 or > 1_000_000_000)
        {
            yield return $"{SectionName}:UploadTextCharsPerMinute must be between 1000 and 1000000000 (it is {UploadTextCharsPerMinute}).";
        }
    }
}
