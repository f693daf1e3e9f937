using Microsoft.Extensions.Options;

namespace PolicyChat.Server;

/// <summary>The <c>Server</c> section: seeding, upload and hub limits.</summary>
public sealed class ServerOptions
{
    public const string SectionName = "Server";

    /// <summary>Folder ingested on first start when the index is empty; empty finds <c>corpus/</c> at or above the content root.</summary>
    public string? SeedCorpusPath { get; set; }

    /// <summary>Ingest the seed corpus when the index is empty at start-up.</summary>
    public bool SeedOnStart { get; set; } = true;

    /// <summary>Largest upload request (all files together), in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Most files in one upload request.</summary>
    public int MaxUploadFiles { get; set; } = 20;

    /// <summary>Largest SignalR message a client may send, in bytes.</summary>
    public long HubMaximumReceiveMessageBytes { get; set; } = 32 * 1024;

    public IEnumerable<string> Validate()
    {
        if (MaxUploadBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            yield return $"{SectionName}:MaxUploadBytes must be between 1024 and 1073741824 bytes (it is {MaxUploadBytes}).";
        }
        if (MaxUploadFiles is < 1 or > 1000)
        {
            yield return $"{SectionName}:MaxUploadFiles must be between 1 and 1000 (it is {MaxUploadFiles}).";
        }
        if (HubMaximumReceiveMessageBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return $"{SectionName}:HubMaximumReceiveMessageBytes must be between 1024 and 16777216 bytes (it is {HubMaximumReceiveMessageBytes}).";
        }
    }
}

/// <summary>The <c>Auth</c> section: API keys. With no keys at all the service runs open (a warning is logged).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    public const int MinimumKeyLength = 16;

    /// <summary>Keys that may ask, search and read documents.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Keys that may also upload and delete documents.</summary>
    public List<string> AdminKeys { get; set; } = [];

    public bool Open => ApiKeys.Count == 0 && AdminKeys.Count == 0;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, keys) in new[] { (nameof(ApiKeys), ApiKeys), (nameof(AdminKeys), AdminKeys) })
        {
            for (var i = 0; i < keys.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(keys[i]) || keys[i].Trim().Length < MinimumKeyLength)
                {
                    yield return $"{SectionName}:{name}:{i} must be at least {MinimumKeyLength} characters long (use a random key, e.g. `openssl rand -hex 24`).";
                }
                else if (keys[i].Any(char.IsWhiteSpace))
                {
                    yield return $"{SectionName}:{name}:{i} must not contain spaces.";
                }
            }
        }
    }
}

/// <summary>The <c>RateLimits</c> section: token buckets per API key (or client IP) and per hub connection.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Sustained /api and /v1 requests per minute per key (or per IP when the service is open).</summary>
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Requests that may be made at once before the per-minute rate applies.</summary>
    public int Burst { get; set; } = 30;

    /// <summary>Sustained questions per minute per hub connection.</summary>
    public int HubQuestionsPerMinute { get; set; } = 30;

    /// <summary>Questions a hub connection may ask at once before the per-minute rate applies.</summary>
    public int HubBurst { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        if (RequestsPerMinute is < 1 or > 1_000_000)
        {
            yield return $"{SectionName}:RequestsPerMinute must be between 1 and 1000000 (it is {RequestsPerMinute}).";
        }
        if (Burst is < 1 or > 1_000_000)
        {
            yield return $"{SectionName}:Burst must be between 1 and 1000000 (it is {Burst}).";
        }
        if (HubQuestionsPerMinute is < 1 or > 1_000_000)
        {
            yield return $"{SectionName}:HubQuestionsPerMinute must be between 1 and 1000000 (it is {HubQuestionsPerMinute}).";
        }
        if (HubBurst is < 1 or > 1_000_000)
        {
            yield return $"{SectionName}:HubBurst must be between 1 and 1000000 (it is {HubBurst}).";
        }
    }
}

/// <summary>Fails options validation with every problem an options type reports (each names its setting).</summary>
internal sealed class ProblemListValidator<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var list = problems(options).ToList();
        return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
    }
}
