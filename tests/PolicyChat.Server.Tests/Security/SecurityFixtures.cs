using System.Globalization;

namespace PolicyChat.Server.Tests.Security;

/// <summary>No keys, default settings: reading open, writes need the generated admin key (kept in the fixture's folder).</summary>
public sealed class OpenServerFixture : ServerFixture
{
    public string AdminKeyPath => Path.Combine(Directory, "admin.key");
}

/// <summary>Open with anonymous writes, and one configured public origin (DNS-rebinding tests).</summary>
public sealed class PublicOriginServerFixture : ServerFixture
{
    public const string PublicOrigin = "https://policychat.example.org";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Auth:AllowAnonymousWrites", "true"),
        new("Server:PublicOrigins:0", PublicOrigin),
    ];
}

/// <summary>
/// Per-client limits with the scripted model (answers can be slowed down): keys <see cref="Key"/>(0…7), a hub budget of
/// <see cref="HubBurst"/> questions (1 more a minute), <see cref="ConnectionBurst"/> new hub connections, <see cref="Concurrent"/>
/// answers at once, and small upload text limits.
/// </summary>
public sealed class ClientLimitsServerFixture : ServerFixture
{
    public const int HubBurst = 3;
    public const int ConnectionBurst = 4;
    public const int Concurrent = 2;
    public const int MaxUploadTextChars = 1000;
    public const int UploadTextCharsPerMinute = 2500;

    protected override bool UseModel => true;

    public static string Key(int client) => $"client-key-{client}-0123456789abcdef";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        for (var i = 0; i < 8; i++)
        {
            yield return new($"Auth:AdminKeys:{i}", Key(i));
        }
        yield return new("RateLimits:HubQuestionsPerMinute", "1");
        yield return new("RateLimits:HubBurst", HubBurst.ToString(CultureInfo.InvariantCulture));
        yield return new("RateLimits:HubConnectionsPerMinute", "1");
        yield return new("RateLimits:HubConnectionBurst", ConnectionBurst.ToString(CultureInfo.InvariantCulture));
        yield return new("RateLimits:ConcurrentAnswersPerClient", Concurrent.ToString(CultureInfo.InvariantCulture));
        yield return new("Server:MaxUploadTextChars", MaxUploadTextChars.ToString(CultureInfo.InvariantCulture));
        yield return new("RateLimits:UploadTextCharsPerMinute", UploadTextCharsPerMinute.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The functional load test's server: no model (extractive answers, fast), <see cref="Clients"/> user keys, a hub budget of
/// <see cref="HubBurst"/> questions per client (1 more a minute), connections and concurrent answers generous enough for the test.
/// </summary>
public sealed class HubLoadServerFixture : ServerFixture
{
    public const int Clients = 30;
    public const int HubBurst = 5;

    public static string Key(int client) => $"load-key-{client}-0123456789abcdef";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        for (var i = 0; i < Clients; i++)
        {
            yield return new($"Auth:ApiKeys:{i}", Key(i));
        }
        yield return new("RateLimits:HubQuestionsPerMinute", "1");
        yield return new("RateLimits:HubBurst", HubBurst.ToString(CultureInfo.InvariantCulture));
        yield return new("RateLimits:HubConnectionsPerMinute", "1");
        yield return new("RateLimits:HubConnectionBurst", "100");
        yield return new("RateLimits:ConcurrentAnswersPerClient", "100");
    }
}
