using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Conversations;

namespace PolicyChat.Server.Security;

public enum ApiKeyKind { None, User, Admin }

/// <summary>
/// The keys the server accepts, compared in constant time (SHA-256 digests, every key checked): the configured keys,
/// and in open mode the generated admin key (<see cref="AdminKeyFile"/>).
/// </summary>
public sealed class ApiKeyRegistry
{
    private readonly byte[][] _userKeys;
    private readonly byte[][] _adminKeys;

    public ApiKeyRegistry(IOptions<AuthOptions> options, IOptions<ConversationOptions> conversations, ILogger<ApiKeyRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var auth = options.Value;
        _userKeys = [.. auth.ApiKeys.Select(k => Digest(k.Trim()))];
        var admin = auth.AdminKeys.Select(k => k.Trim()).ToList();
        if (AdminKeySetup.GeneratedKey(options, conversations, logger) is { } generated)
        {
            admin.Add(generated);
        }
        _adminKeys = [.. admin.Select(Digest)];
        Open = auth.Open;
        AnonymousWrites = auth.Open && auth.AllowAnonymousWrites;
    }

    /// <summary>No keys are configured: anyone may ask, search and read.</summary>
    public bool Open { get; }

    /// <summary>Open, and <c>Auth:AllowAnonymousWrites</c> is set: anyone may also upload and delete.</summary>
    public bool AnonymousWrites { get; }

    public ApiKeyKind Check(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var digest = Digest(key.Trim());
        var admin = false;
        var user = false;
        foreach (var k in _adminKeys)
        {
            admin |= CryptographicOperations.FixedTimeEquals(k, digest);
        }
        foreach (var k in _userKeys)
        {
            user |= CryptographicOperations.FixedTimeEquals(k, digest);
        }
        return admin ? ApiKeyKind.Admin : user ? ApiKeyKind.User : ApiKeyKind.None;
    }

    /// <summary>A short, stable, non-secret name for a key (logs, rate-limit partitions).</summary>
    public static string KeyId(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "key-" + Convert.ToHexStringLower(Digest(key.Trim()))[..12];
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
