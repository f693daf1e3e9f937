using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Seeding;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Tests;

public sealed class UiLanguageTests
{
    [Theory]
    [InlineData(null, null, "en")]
    [InlineData("ar", null, "ar")]
    [InlineData("ar-EG,ar;q=0.9,en;q=0.5", null, "ar")]
    [InlineData("en;q=0.5, ar", null, "ar")]
    [InlineData("fr, ar;q=0.8", null, "en")]
    [InlineData("arn", null, "en")]
    [InlineData("ar", "en", "en")]
    [InlineData("en", "ar", "ar")]
    public void FromRequest_AcceptLanguageAndExplicitLanguage_PicksArabicOnlyWhenPreferred(string? acceptLanguage, string? requested, string expected)
    {
        var context = new DefaultHttpContext();
        if (acceptLanguage is not null)
        {
            context.Request.Headers.AcceptLanguage = acceptLanguage;
        }
        Assert.Equal(expected, UiLanguage.FromRequest(context.Request, requested));
    }
}

public sealed class ApiKeyRegistryTests
{
    private static ApiKeyRegistry Registry() => Registry(new AuthOptions
    {
        ApiKeys = [ServerFixture.UserKey],
        AdminKeys = [ServerFixture.AdminKey],
    });

    internal static ApiKeyRegistry Registry(AuthOptions options, string? dataDirectory = null) => new(
        Options.Create(options),
        Options.Create(new PolicyChat.Core.Conversations.ConversationOptions { Path = Path.Combine(dataDirectory ?? Path.GetTempPath(), "conversations.db") }),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiKeyRegistry>.Instance);

    [Fact]
    public void Check_KnownKeys_ReturnTheirKind()
    {
        var registry = Registry();
        Assert.Equal(ApiKeyKind.User, registry.Check(ServerFixture.UserKey));
        Assert.Equal(ApiKeyKind.Admin, registry.Check(ServerFixture.AdminKey));
        Assert.Equal(ApiKeyKind.Admin, registry.Check(" " + ServerFixture.AdminKey + " "));
        Assert.Equal(ApiKeyKind.None, registry.Check(ServerFixture.UserKey + "x"));
        Assert.Equal(ApiKeyKind.None, registry.Check(""));
        Assert.False(registry.Open);
    }

    [Fact]
    public void KeyId_SameKey_IsStableShortAndDoesNotContainTheKey()
    {
        var id = ApiKeyRegistry.KeyId(ServerFixture.UserKey);
        Assert.Equal(id, ApiKeyRegistry.KeyId(ServerFixture.UserKey));
        Assert.NotEqual(id, ApiKeyRegistry.KeyId(ServerFixture.AdminKey));
        Assert.DoesNotContain(ServerFixture.UserKey, id);
        Assert.Equal(16, id.Length);
    }

    [Fact]
    public void Open_NoKeys_IsTrue()
    {
        var registry = Registry(new AuthOptions { GenerateAdminKey = false });
        Assert.True(registry.Open);
        Assert.False(registry.AnonymousWrites);
    }
}

public sealed class CorpusLocatorTests
{
    [Fact]
    public void Locate_NothingConfigured_WalksUpFromTheContentRootToCorpus()
    {
        var nested = Path.Combine(ServerFixture.RepoRoot, "src", "PolicyChat.Server");
        Assert.Equal(Path.Combine(ServerFixture.RepoRoot, "corpus"), CorpusSeeder.Locate(null, nested));
    }

    [Fact]
    public void Locate_RelativeConfiguredPath_ResolvesAgainstTheContentRoot()
    {
        Assert.Equal(Path.Combine(ServerFixture.RepoRoot, "corpus"), CorpusSeeder.Locate("../../corpus", Path.Combine(ServerFixture.RepoRoot, "src", "PolicyChat.Server")));
    }

    [Fact]
    public void Locate_ConfiguredPathMissing_ReturnsNull()
    {
        Assert.Null(CorpusSeeder.Locate("no-such-folder-here", Path.GetTempPath()));
    }

    [Fact]
    public void Locate_NoCorpusAbove_ReturnsNull()
    {
        var empty = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        Assert.Null(CorpusSeeder.Locate(null, empty));
    }
}

/// <summary>What the server logs at start-up: the open-mode warning and seeding progress.</summary>
public sealed class StartupLogTests(ExtractiveServerFixture server) : IClassFixture<ExtractiveServerFixture>
{
    [Fact]
    public void Start_NoKeys_WarnsThatReadingIsOpenAndWritesNeedAnAdminKey()
    {
        Assert.Contains(server.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("anyone who can reach this server can ask", StringComparison.Ordinal)
            && e.Message.Contains("uploads and deletes need an admin key", StringComparison.Ordinal)
            && e.Message.Contains("Auth:ApiKeys", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_EmptyIndex_LogsSeedingProgressPerDocument()
    {
        var seeding = server.Log.Entries.Where(e => e.Category == typeof(CorpusSeeder).FullName).Select(e => e.Message).ToList();
        Assert.Contains(seeding, m => m.StartsWith("The index is empty: ingesting 5 files", StringComparison.Ordinal));
        Assert.Equal(5, seeding.Count(m => m.StartsWith("Seeding [", StringComparison.Ordinal)));
        Assert.Contains(seeding, m => m.StartsWith("Seeding finished", StringComparison.Ordinal));
    }
}
