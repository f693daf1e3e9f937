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
