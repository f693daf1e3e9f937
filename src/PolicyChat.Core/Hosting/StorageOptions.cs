namespace PolicyChat.Core.Hosting;

/// <summary>Which index store serves the collection.</summary>
public sealed record StorageOptions
{
    public const string SectionName = "Storage";
    public const string Sqlite = "Sqlite";
    public const string Qdrant = "Qdrant";

    /// <summary>Sqlite (embedded default, nothing else to run) or Qdrant (Qdrant:Url etc.).</summary>
    public string Provider { get; init; } = Sqlite;

    public bool IsQdrant => string.Equals(Provider, Qdrant, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase) && !IsQdrant)
        {
            yield return $"Storage:Provider must be '{Sqlite}' or '{Qdrant}' (was '{Provider}').";
        }
    }
}
