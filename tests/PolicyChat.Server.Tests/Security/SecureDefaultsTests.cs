using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PolicyChat.Server.Tests.Security;

/// <summary>No keys configured: reading is open, uploads and deletes need the admin key generated into the data directory.</summary>
public sealed class SecureDefaultsTests(OpenServerFixture server) : IClassFixture<OpenServerFixture>
{
    private static MultipartFormDataContent Form(string text, string name) =>
        new() { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } }, "files", name } };

    [Fact]
    public async Task Read_NoKey_IsOpen()
    {
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/documents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/search?q=DeepSeek")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/ask", Json.Body(new { question = "What is DeepSeek?" }))).StatusCode);
    }

    [Fact]
    public async Task Upload_NoKey_Returns401SayingHowToSetAnAdminKeyAndStoresNothing()
    {
        using var client = server.CreateClient();
        var before = (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32();
        using var form = Form("The Anonymous Statute of Nowhere.", "anon.txt");
        var response = await client.PostAsync("/api/documents", form);
        var problem = await Json.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "admin_key_required");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("admin.key", detail);
        Assert.Contains("Auth:AdminKeys", detail);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(before, (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Delete_NoKeyArabicCaller_Returns401InArabicAndTheDocumentStays()
    {
        using var client = server.CreateClient(language: "ar");
        var id = (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("documents")[0].GetProperty("id").GetString();
        var problem = await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/" + id), HttpStatusCode.Unauthorized, "admin_key_required");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/documents/" + id)).StatusCode);
    }

    [Fact]
    public async Task WrongKey_ReadsLikeNoKeyButCannotWrite()
    {
        using var client = server.CreateClient(key: "wrong-key-0123456789abcdef");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
        await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/anything"), HttpStatusCode.Unauthorized, "admin_key_required");
    }

    [Fact]
    public async Task GeneratedAdminKey_IsOwnerOnlyLoggedByLocationOnlyAndCanWrite()
    {
        Assert.True(File.Exists(server.AdminKeyPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.AdminKeyPath));
        }
        var key = (await File.ReadAllTextAsync(server.AdminKeyPath)).Trim();
        Assert.True(key.Length >= 32);
        var mentions = server.Log.Entries.Where(e => e.Message.Contains(server.AdminKeyPath, StringComparison.Ordinal)).ToList();
        Assert.Single(mentions);
        Assert.Equal(LogLevel.Warning, mentions[0].Level);
        Assert.DoesNotContain(server.Log.Entries, e => e.Message.Contains(key, StringComparison.Ordinal));

        using var admin = server.CreateClient(key: key);
        using var form = Form("The Keyed Statute of Somewhere regulates lantern oil.", "keyed.txt");
        var response = await admin.PostAsync("/api/documents", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await Json.ReadAsync(response)).GetProperty("results")[0].GetProperty("document_id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/documents/" + id)).StatusCode);
    }
}

/// <summary>Start-up behaviour of the defaults: the key file is reused on a later start, anonymous writes warn, contradictions fail.</summary>
public sealed class SecureDefaultsStartupTests
{
    private static WebApplicationFactory<Program> Factory(string directory, LogSink log, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.ConfigureLogging(logging => logging.AddProvider(log));
            builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "index.db"));
            builder.UseSetting("Conversations:Path", Path.Combine(directory, "conversations.db"));
            builder.UseSetting("Llm:Endpoint", "");
            builder.UseSetting("Llm:Model", "");
            builder.UseSetting("Embedding:Model", "");
            builder.UseSetting("Server:SeedOnStart", "false");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });

    [Fact]
    public async Task SecondStart_KeyFileExists_ReusesTheKeyAndDoesNotAnnounceItAgain()
    {
        var directory = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        var first = new LogSink();
        await using (var factory = Factory(directory, first))
        {
            _ = factory.Server;
        }
        var key = await File.ReadAllTextAsync(Path.Combine(directory, "admin.key"));
        var second = new LogSink();
        await using (var factory = Factory(directory, second))
        {
            _ = factory.Server;
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
            await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/none"), HttpStatusCode.NotFound, "document_not_found");
        }
        Assert.Equal(key, await File.ReadAllTextAsync(Path.Combine(directory, "admin.key")));
        Assert.Contains(first.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("admin key generated", StringComparison.Ordinal));
        Assert.DoesNotContain(second.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("admin key generated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_AllowAnonymousWrites_WarnsAndLetsAnyoneWriteWithoutAKeyFile()
    {
        var directory = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        var log = new LogSink();
        await using var factory = Factory(directory, log, ("Auth:AllowAnonymousWrites", "true"));
        using var client = factory.CreateClient();
        await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/none"), HttpStatusCode.NotFound, "document_not_found");
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Auth:AllowAnonymousWrites", StringComparison.Ordinal)
            && e.Message.Contains("upload and delete", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(directory, "admin.key")));
    }

    [Fact]
    public void Start_AllowAnonymousWritesWithKeys_FailsNamingTheSetting()
    {
        var directory = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        using var factory = Factory(directory, new LogSink(), ("Auth:AllowAnonymousWrites", "true"), ("Auth:ApiKeys:0", ServerFixture.UserKey));
        var error = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);
        Assert.Contains("Auth:AllowAnonymousWrites", error.Message);
    }

    [Theory]
    [InlineData("Server:PublicOrigins:0", "not an origin", "Server:PublicOrigins:0")]
    [InlineData("Server:PublicOrigins:0", "https://chat.example.org/path", "Server:PublicOrigins:0")]
    [InlineData("Server:MaxUrlChars", "10", "Server:MaxUrlChars")]
    [InlineData("RateLimits:ConcurrentAnswersPerClient", "0", "RateLimits:ConcurrentAnswersPerClient")]
    [InlineData("RateLimits:HubConnectionBurst", "0", "RateLimits:HubConnectionBurst")]
    public void Start_InvalidSecuritySetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var directory = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        using var factory = Factory(directory, new LogSink(), (key, value));
        var error = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);
        Assert.Contains(named, error.Message);
    }
}
