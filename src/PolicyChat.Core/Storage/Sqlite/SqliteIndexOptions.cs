namespace PolicyChat.Core.Storage.Sqlite;

public sealed record SqliteIndexOptions
{
    /// <summary>Database file; the folder is created when missing.</summary>
    public string Path { get; init; } = System.IO.Path.Combine("data", "policychat.db");

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            yield return "Storage:Sqlite:Path must name a database file (for example data/policychat.db).";
        }
    }
}
