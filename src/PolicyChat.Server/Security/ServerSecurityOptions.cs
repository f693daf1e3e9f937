using PolicyChat.Server.Security;

namespace PolicyChat.Server;

/// <summary>
/// The security settings of the <c>Server</c> section (bound separately from <see cref="ServerOptions"/>): the public
/// origins that may write, and limits on URLs and on the text uploads may add.
/// </summary>
public sealed class ServerSecurityOptions
{
    public const int MaxUrlCharsLimit = 64 * 1024;

    /// <summary>
    /// Origins (scheme://host[:port]) of the pages that may upload and delete and connect to the hub, e.g.
    /// <c>https://policychat.example.org</c> behind a reverse proxy. Empty = the addresses the server listens on
    /// (a wildcard address stands for this machine's names and IP addresses).
    /// </summary>
    public List<string> PublicOrigins { get; set; } = [];

    /// <summary>
    /// IP addresses of reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed, so per-client
    /// limits and the /readyz loopback check see the real client. Empty = forwarded headers are ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Longest path plus (escaped) query string accepted; longer → 414 problem. 16 KB holds a 2,000-character Arabic query (6 escaped bytes a letter).</summary>
    public int MaxUrlChars { get; set; } = 16 * 1024;

    /// <summary>Most characters of extracted text one upload request may add (all its files together).</summary>
    public long MaxUploadTextChars { get; set; } = 5_000_000;

    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < PublicOrigins.Count; i++)
        {
            if (PublicOrigin.Parse(PublicOrigins[i]) is null)
            {
                yield return $"{ServerOptions.SectionName}:PublicOrigins:{i} must be an origin like https://chat.example.org or http://localhost:5080 (it is '{PublicOrigins[i]}').";
            }
        }
        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(TrustedProxies[i], out _))
            {
                yield return $"{ServerOptions.SectionName}:TrustedProxies:{i} must be an IP address, e.g. 127.0.0.1 (it is '{TrustedProxies[i]}').";
            }
        }
        if (MaxUrlChars is < 256 or > MaxUrlCharsLimit)
        {
            yield return $"{ServerOptions.SectionName}:MaxUrlChars must be between 256 and {MaxUrlCharsLimit} (it is {MaxUrlChars}).";
        }
        if (MaxUploadTextChars is < 1000 or > 10_000_000_000)
        {
            yield return $"{ServerOptions.SectionName}:MaxUploadTextChars must be between 1000 and 10000000000 (it is {MaxUploadTextChars}).";
        }
    }
}
