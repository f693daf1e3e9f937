namespace PolicyChat.Core.Hosting;

/// <summary>
/// The one default folder for PolicyChat's files, shared by the CLI and the server whatever the working directory:
/// <c>POLICYCHAT_DATA</c> when set, else the user's local application data folder (<c>$XDG_DATA_HOME/policychat</c>,
/// normally <c>~/.local/share/policychat</c> on Linux, <c>%LOCALAPPDATA%\policychat</c> on Windows).
/// Explicit settings (<c>Storage:Sqlite:Path</c>, <c>Conversations:Path</c>, <c>--db</c>) still win.
/// </summary>
public static class DataDirectory
{
    public const string Variable = "POLICYCHAT_DATA";

    /// <summary>The folder (not created here: the stores create it when they first write).</summary>
    public static string Default => Resolve(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The index file under <see cref="Default"/>.</summary>
    public static string IndexPath => Path.Combine(Default, "policychat.db");

    /// <summary>The conversation history file under <see cref="Default"/>.</summary>
    public static string ConversationsPath => Path.Combine(Default, "conversations.db");

    internal static string Resolve(string? variable)
    {
        if (!string.IsNullOrWhiteSpace(variable))
        {
            return Path.GetFullPath(variable);
        }
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(local))
        {
            // No home folder (some containers): fall back to the working directory, as before.
            return Path.GetFullPath("data");
        }
        return Path.Combine(local, "policychat");
    }
}
