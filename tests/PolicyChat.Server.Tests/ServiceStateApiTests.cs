using System.Net;

namespace PolicyChat.Server.Tests;

/// <summary>GET /api/status, the page's model-state badge.</summary>
public sealed class ServiceStateApiTests(ExtractiveServerFixture server) : IClassFixture<ExtractiveServerFixture>
{
    [Fact]
    public async Task Status_NoModelConfigured_SaysAnswersAreQuoted()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/api/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Equal("extractive", body.GetProperty("answer_mode").GetString());
        Assert.Equal("not_configured", body.GetProperty("model").GetString());
    }
}

/// <summary>The same with the scripted model running: answers are generated.</summary>
public sealed class ServiceStateWithModelTests(ModelServerFixture server) : IClassFixture<ModelServerFixture>
{
    [Fact]
    public async Task Status_ModelRunning_SaysAnswersAreGenerated()
    {
        using var client = server.CreateClient();
        var body = await Json.ReadAsync(await client.GetAsync("/api/status"));
        Assert.Equal("llm", body.GetProperty("answer_mode").GetString());
        Assert.Equal("running", body.GetProperty("model").GetString());
    }
}
