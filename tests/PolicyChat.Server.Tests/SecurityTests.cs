using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Tests;

/// <summary>API keys: 401 without or with a wrong key, 403 for writes with a user key, admin keys allowed.</summary>
public sealed class SecurityTests(SecuredServerFixture server) : IClassFixture<SecuredServerFixture>
{
    [Theory]
    [InlineData("/api/documents")]
    [InlineData("/api/search?q=DeepSeek")]
    [InlineData("/v1/models")]
    public async Task Get_NoKey_Returns401Problem(string path)
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync(path);
        await Json.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Ask_NoKeyArabicCaller_Returns401InArabic()
    {
        using var client = server.CreateClient(language: "ar");
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/ask", Json.Body(new { question = "ما DeepSeek؟" })), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task Get_WrongKey_Returns401()
    {
        using var client = server.CreateClient(key: "wrong-key-0123456789abcdef");
        await Json.AssertProblemAsync(await client.GetAsync("/api/documents"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Get_UserKeyAsBearer_Returns200()
    {
        using var client = server.CreateClient(key: ServerFixture.UserKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/documents")).StatusCode);
    }

    [Fact]
    public async Task Get_UserKeyInXApiKeyHeader_Returns200()
    {
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ServerFixture.UserKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task Get_KeyInQueryStringOutsideTheHub_Returns401()
    {
        using var client = server.CreateClient();
        await Json.AssertProblemAsync(await client.GetAsync("/api/documents?access_token=" + ServerFixture.UserKey), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Delete_UserKey_Returns403()
    {
        using var client = server.CreateClient(key: ServerFixture.UserKey);
        await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/anything"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Upload_UserKey_Returns403()
    {
        using var client = server.CreateClient(key: ServerFixture.UserKey);
        using var form = new MultipartFormDataContent { { new StringContent("Some text."), "files", "note.txt" } };
        await Json.AssertProblemAsync(await client.PostAsync("/api/documents", form), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Delete_AdminKeyUnknownDocument_PassesAuthorizationAndReturns404()
    {
        using var client = server.CreateClient(key: ServerFixture.AdminKey);
        await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/no-such-document"), HttpStatusCode.NotFound, "document_not_found");
    }

    [Fact]
    public async Task Health_NoKey_IsOpenToProbes()
    {
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Hub_NoKey_ConnectionRefused()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectHubSocketAsync());
    }

    [Fact]
    public async Task Hub_AccessTokenInQuery_CanAsk()
    {
        await using var hub = await server.ConnectHubAsync(ServerFixture.UserKey);
        var events = await Hub.ChatHubTests.ReadAllAsync(await hub.StreamAsync("Ask", [new { question = "What is DeepSeek?" }]));
        Assert.Equal("done", events[^1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Negotiate_NoKey_Returns401()
    {
        using var client = server.CreateClient();
        var response = await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>Per-key rate limits on the HTTP API and per-connection limits on the hub.</summary>
public sealed class RateLimitTests(RateLimitedServerFixture server) : IClassFixture<RateLimitedServerFixture>
{
    [Fact]
    public async Task Get_BurstExceeded_Returns429ProblemWithRetryAfterAndOtherKeysUnaffected()
    {
        using var client = server.CreateClient(key: ServerFixture.UserKey);
        for (var i = 0; i < RateLimitedServerFixture.Burst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);
        }
        var limited = await client.GetAsync("/v1/models");
        var problem = await Json.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("rate_limit_error", problem.GetProperty("error").GetProperty("type").GetString());

        using var other = server.CreateClient(key: ServerFixture.OtherUserKey);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    public async Task HubAsk_BurstExceeded_SendsRateLimitErrorEventAlsoOnAFreshConnectionOfTheSameKey()
    {
        await using var hub = await server.ConnectHubAsync(ServerFixture.OtherUserKey);
        for (var i = 0; i < RateLimitedServerFixture.Burst; i++)
        {
            var events = await Hub.ChatHubTests.ReadAllAsync(await hub.StreamAsync("Ask", [new { question = "What is DeepSeek?" }]));
            Assert.Equal("done", events[^1].GetProperty("type").GetString());
        }
        var limited = await Hub.ChatHubTests.ReadAllAsync(await hub.StreamAsync("Ask", [new { question = "What is DeepSeek?", language = "en" }]));
        var error = Assert.Single(limited);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains("Too many requests", error.GetProperty("message").GetString());
        await hub.DisposeAsync();

        // The budget belongs to the key, not the connection: reconnecting does not refill it.
        await using var fresh = await server.ConnectHubAsync(ServerFixture.OtherUserKey);
        var still = await Hub.ChatHubTests.ReadAllAsync(await fresh.StreamAsync("Ask", [new { question = "What is DeepSeek?", language = "en" }]));
        Assert.Contains("Too many requests", Assert.Single(still).GetProperty("message").GetString());

        // Another client's budget is its own.
        await using var other = await server.ConnectHubAsync(ServerFixture.UserKey);
        var allowed = await Hub.ChatHubTests.ReadAllAsync(await other.StreamAsync("Ask", [new { question = "What is DeepSeek?" }]));
        Assert.Equal("done", allowed[^1].GetProperty("type").GetString());
    }
}

/// <summary>Options are validated at start-up and the error names the setting.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Auth:ApiKeys:0", "short", "Auth:ApiKeys:0")]
    [InlineData("Server:MaxUploadFiles", "0", "Server:MaxUploadFiles")]
    [InlineData("RateLimits:Burst", "0", "RateLimits:Burst")]
    public void Start_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var directory = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "index.db"));
            builder.UseSetting("Conversations:Path", Path.Combine(directory, "conversations.db"));
            builder.UseSetting("Llm:Endpoint", "");
            builder.UseSetting("Llm:Model", "");
            builder.UseSetting("Server:SeedOnStart", "false");
            builder.UseSetting(key, value);
        });
        var error = Assert.ThrowsAny<OptionsValidationException>(() => factory.Server);
        Assert.Contains(named, error.Message);
    }
}
