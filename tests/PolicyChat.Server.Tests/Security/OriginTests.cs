using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Tests.Security;

/// <summary>
/// DNS rebinding: a hostile page whose name now points at this server sends <c>Host: attacker.example</c> with a
/// matching <c>Origin</c>. Writes and hub connections are judged by <c>Server:PublicOrigins</c>, never by <c>Host</c>.
/// </summary>
public sealed class ConfiguredOriginTests(PublicOriginServerFixture server) : IClassFixture<PublicOriginServerFixture>
{
    private static MultipartFormDataContent Form(string text, string name) =>
        new() { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } }, "files", name } };

    private static HttpRequestMessage Rebound(HttpMethod method, string path, string host, string origin, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Host = host;
        request.Headers.Add("Origin", origin);
        return request;
    }

    [Fact]
    public async Task Upload_RebindingHostWithMatchingOrigin_Returns403AndStoresNothing()
    {
        using var client = server.CreateClient();
        var before = (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32();
        using var request = Rebound(HttpMethod.Post, "/api/documents", "attacker.example", "http://attacker.example", Form("Rebound text.", "rebound.txt"));
        var problem = await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
        Assert.Contains("Server:PublicOrigins", problem.GetProperty("detail").GetString());
        Assert.Equal(before, (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Delete_RebindingHostWithMatchingOrigin_Returns403AndTheDocumentStays()
    {
        using var client = server.CreateClient();
        var id = (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("documents")[0].GetProperty("id").GetString();
        using var request = Rebound(HttpMethod.Delete, "/api/documents/" + id, "attacker.example:5080", "http://attacker.example:5080");
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/documents/" + id)).StatusCode);
    }

    [Fact]
    public async Task Upload_ConfiguredPublicOriginBehindAProxy_IsAcceptedWhateverTheHost()
    {
        using var client = server.CreateClient();
        using var request = Rebound(HttpMethod.Post, "/api/documents", "localhost:5080", PublicOriginServerFixture.PublicOrigin,
            Form("The Proxy Statute of Harbourtown regulates tugboats.", "proxied.txt"));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Ask_PostFromAnotherOrigin_Returns403()
    {
        using var client = server.CreateClient();
        using var request = Rebound(HttpMethod.Post, "/api/ask", "attacker.example", "http://attacker.example", Json.Body(new { question = "What is DeepSeek?" }));
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
    }

    [Fact]
    public async Task HubNegotiate_FromAnotherOrigin_Returns403ButWithoutOriginWorks()
    {
        using var client = server.CreateClient();
        using var request = Rebound(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1", "attacker.example", "http://attacker.example");
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task HubWebSocket_FromAnotherOrigin_IsRefused()
    {
        var socket = server.Factory.Server.CreateWebSocketClient();
        socket.ConfigureRequest = r => r.Headers.Origin = "http://attacker.example";
        var uri = new UriBuilder(server.Factory.Server.BaseAddress) { Scheme = "ws", Path = "/hubs/chat" }.Uri;
        await Assert.ThrowsAnyAsync<Exception>(() => socket.ConnectAsync(uri, CancellationToken.None));
    }
}

/// <summary>With no <c>Server:PublicOrigins</c>, the listening address (a real Kestrel port) is the public origin.</summary>
public sealed class DefaultOriginTests(KestrelServerFixture server) : IClassFixture<KestrelServerFixture>
{
    private static MultipartFormDataContent Form(string text, string name) =>
        new() { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } }, "files", name } };

    [Fact]
    public async Task Upload_OriginOfTheListeningAddressOrLocalhost_IsAccepted()
    {
        using var client = server.CreateClient();
        foreach (var origin in new[] { server.Origin, $"http://localhost:{server.Port}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = Form("The Loopback Statute governs lamps.", "loopback.txt") };
            request.Headers.Add("Origin", origin);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task Upload_RebindingHostWithMatchingOrigin_Returns403()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = Form("Rebound.", "rebound.txt") };
        request.Headers.Host = $"attacker.example:{server.Port}";
        request.Headers.Add("Origin", $"http://attacker.example:{server.Port}");
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
    }

    [Fact]
    public async Task Upload_SameHostOtherPort_Returns403()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = Form("Other port.", "port.txt") };
        request.Headers.Add("Origin", $"http://127.0.0.1:{server.Port + 1}");
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
    }

    [Fact]
    public async Task Get_100KbQueryString_ReachesTheAppAndGets414Problem()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/api/search?q=" + new string('a', 100 * 1024));
        await Json.AssertProblemAsync(response, HttpStatusCode.RequestUriTooLong, "uri_too_long");
    }

    [Fact]
    public async Task Ready_ThroughATrustedProxyForARemoteClient_GetsOnlyTheStatus()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var body = await Json.ReadAsync(await client.SendAsync(request));
        Assert.Equal(["status"], body.EnumerateObject().Select(p => p.Name));

        var local = await Json.ReadAsync(await client.GetAsync("/readyz"));
        Assert.True(local.TryGetProperty("index", out _));
    }

    [Fact]
    public async Task Page_OverKestrel_CarriesSecurityHeaders()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }
}

public sealed class PublicOriginParseTests
{
    [Theory]
    [InlineData("https://Chat.Example.org", "https", "chat.example.org", 443)]
    [InlineData("http://localhost:5080/", "http", "localhost", 5080)]
    [InlineData("http://[::1]:5080", "http", "::1", 5080)]
    [InlineData("http://127.0.0.1", "http", "127.0.0.1", 80)]
    public void Parse_Origin_IsNormalized(string text, string scheme, string host, int port)
    {
        Assert.Equal(new PublicOrigin(scheme, host, port), PublicOrigin.Parse(text));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("ftp://example.org")]
    [InlineData("https://example.org/path")]
    [InlineData("https://user@example.org")]
    [InlineData("example.org")]
    public void Parse_NotAnOrigin_IsNull(string text)
    {
        Assert.Null(PublicOrigin.Parse(text));
    }
}
