using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PolicyChat.Server.Security;

public enum ApiKeyKind { None, User, Admin }

/// <summary>The configured keys, compared in constant time (SHA-256 digests, every key checked).</summary>
public sealed class ApiKeyRegistry
{
    private readonly byte[][] _userKeys;
    private readonly byte[][] _adminKeys;

    public ApiKeyRegistry(IOptions<AuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _userKeys = [.. options.Value.ApiKeys.Select(k => Digest(k.Trim()))];
        _adminKeys = [.. options.Value.AdminKeys.Select(k => Digest(k.Trim()))];
    }

    /// <summary>No keys are configured: every caller may do everything.</summary>
    public bool Open => _userKeys.Length == 0 && _adminKeys.Length == 0;

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
