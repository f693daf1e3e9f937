using System.Net;

namespace PolicyChat.Server.Tests.Security;

/// <summary>Security headers come from the server on every response, not only from the page's &lt;meta&gt; tag.</summary>
public sealed class HeadersTests(ExtractiveServerFixture server) : IClassFixture<ExtractiveServerFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/documents")]
    [InlineData("/no-such-page")]
    [InlineData("/api/search")]
    public async Task Response_AnyPath_CarriesSecurityHeaders(string path)
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync(path);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task PageHeader_IsAsStrictAsThePagesMetaPolicy()
    {
        var html = await File.ReadAllTextAsync(Path.Combine(ServerFixture.RepoRoot, "src", "PolicyChat.Server", "wwwroot", "index.html"));
        var meta = System.Text.RegularExpressions.Regex.Match(html, "http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(meta);
        using var client = server.CreateClient();
        var header = (await client.GetAsync("/")).Headers.GetValues("Content-Security-Policy").Single();
        foreach (var directive in meta.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Assert.Contains(directive, header);
        }
    }
}
