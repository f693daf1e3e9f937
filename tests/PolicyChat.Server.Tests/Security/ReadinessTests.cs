using System.Net;

namespace PolicyChat.Server.Tests.Security;

/// <summary>/readyz tells an anonymous remote caller only whether the service is ready; details need a key or loopback.</summary>
public sealed class ReadinessTests(SecuredServerFixture server) : IClassFixture<SecuredServerFixture>
{
    private static HttpRequestMessage Remote()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return request;
    }

    [Fact]
    public async Task Ready_AnonymousRemoteCaller_GetsOnlyTheStatus()
    {
        using var client = server.CreateClient();
        using var request = Remote();
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal(["status"], body.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(Path.Combine(ServerFixture.RepoRoot, "corpus"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_RemoteCallerWithAKey_GetsTheDetails()
    {
        using var client = server.CreateClient(key: ServerFixture.UserKey);
        using var request = Remote();
        var body = await Json.ReadAsync(await client.SendAsync(request));
        Assert.Equal(5, body.GetProperty("index").GetProperty("documents").GetInt32());
        Assert.True(body.TryGetProperty("seeding", out _));
        Assert.True(body.TryGetProperty("model", out _));
    }

    [Fact]
    public async Task Ready_RemoteCallerWithAWrongKey_GetsOnlyTheStatus()
    {
        using var client = server.CreateClient(key: "wrong-key-0123456789abcdef");
        using var request = Remote();
        var body = await Json.ReadAsync(await client.SendAsync(request));
        Assert.Equal(["status"], body.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Ready_LocalCallerWithoutAKey_GetsTheDetails()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.GetAsync("/readyz"));
        Assert.True(body.TryGetProperty("index", out _));
        Assert.True(body.TryGetProperty("seeding", out _));
    }
}
