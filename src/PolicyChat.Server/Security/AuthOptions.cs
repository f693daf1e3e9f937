namespace PolicyChat.Server;

/// <summary>
/// The <c>Auth</c> section: API keys. With no keys at all, reading (asking, searching, listing) is open to anyone who
/// can reach the server, but uploads and deletes need an admin key: the configured ones, or the one generated into
/// <see cref="AdminKeyFile"/> on first start. <see cref="AllowAnonymousWrites"/> lifts that for a private machine.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    public const int MinimumKeyLength = 16;

    /// <summary>Keys that may ask, search and read documents.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Keys that may also upload and delete documents.</summary>
    public List<string> AdminKeys { get; set; } = [];

    /// <summary>With no keys configured, let anyone upload and delete (a private machine only; a warning is logged).</summary>
    public bool AllowAnonymousWrites { get; set; }

    /// <summary>With no keys configured, generate an admin key on first start and keep it in <see cref="AdminKeyFile"/>.</summary>
    public bool GenerateAdminKey { get; set; } = true;

    /// <summary>Where the generated admin key is kept; empty = <c>admin.key</c> beside <c>Conversations:Path</c> (the data directory).</summary>
    public string? AdminKeyFile { get; set; }

    /// <summary>No keys are configured: reading is open to everyone.</summary>
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
        if (AllowAnonymousWrites && !Open)
        {
            yield return $"{SectionName}:AllowAnonymousWrites cannot be true while keys are configured: writes need an admin key ({SectionName}:AdminKeys).";
        }
    }
}
