using System.CommandLine;

namespace PolicyChat.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<string> Db() => new("--db")
    {
        Description = "SQLite index file (default: data/policychat.db, or Storage:Sqlite:Path from configuration).",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object instead of text.",
    };
}
