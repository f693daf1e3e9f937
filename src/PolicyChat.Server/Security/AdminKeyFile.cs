using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Conversations;

namespace PolicyChat.Server.Security;

/// <summary>
/// The admin key generated on first start when no keys are configured: 32 random bytes (hex), kept in
/// <c>Auth:AdminKeyFile</c> (default <c>admin.key</c> in the data directory) with owner-only permissions, and read
/// again on later starts. Its location is logged once, when it is created; the key itself is never logged.
/// </summary>
public static class AdminKeyFile
{
    public const string DefaultFileName = "admin.key";

    /// <summary>Where the key is kept: <c>Auth:AdminKeyFile</c>, or <c>admin.key</c> beside the conversations database.</summary>
    public static string PathFor(AuthOptions auth, ConversationOptions conversations)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(conversations);
        if (!string.IsNullOrWhiteSpace(auth.AdminKeyFile))
        {
            return Path.GetFullPath(auth.AdminKeyFile);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(conversations.Path)) ?? Directory.GetCurrentDirectory();
        return Path.Combine(folder, DefaultFileName);
    }

    /// <summary>Reads the key in <paramref name="path"/>, creating it first when it does not exist. Returns the key and whether it was created.</summary>
    public static (string Key, bool Created) LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= AuthOptions.MinimumKeyLength && !existing.Any(char.IsWhiteSpace))
            {
                return (existing, false);
            }
            throw new InvalidOperationException(
                $"The admin key file {path} does not hold a usable key (at least {AuthOptions.MinimumKeyLength} characters, no spaces). Delete it to have a new one generated.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = "pc-admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(key + "\n");
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return LoadOrCreate(path);
        }
        return (key, true);
    }
}

/// <summary>Options for the key registry: the configured keys plus, in open mode, the generated admin key.</summary>
internal static class AdminKeySetup
{
    public static string? GeneratedKey(IOptions<AuthOptions> auth, IOptions<ConversationOptions> conversations, ILogger logger)
    {
        var options = auth.Value;
        if (!options.Open || options.AllowAnonymousWrites || !options.GenerateAdminKey)
        {
            return null;
        }
        var path = AdminKeyFile.PathFor(options, conversations.Value);
        var (key, created) = AdminKeyFile.LoadOrCreate(path);
        if (created)
        {
            logger.LogWarning(
                "No API keys are configured. Reading is open; uploading and deleting documents need the admin key generated in {AdminKeyFile} "
                + "(readable only by this user). Send it as 'Authorization: Bearer <key>' or paste it into the page's key field.", path);
        }
        else
        {
            logger.LogInformation("Uploads and deletes need the admin key in {AdminKeyFile}.", path);
        }
        return key;
    }
}
