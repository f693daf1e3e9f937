using System.CommandLine;

namespace PolicyChat.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<string> Db() => new("--db")
    {
        Description = "SQLite index file (default: Storage:Sqlite:Path from configuration, else policychat.db in $POLICYCHAT_DATA or ~/.local/share/policychat, the server's default too).",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON object instead of text.",
    };
}
