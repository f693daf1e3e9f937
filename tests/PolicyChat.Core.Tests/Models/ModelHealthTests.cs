using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

public sealed class ModelHealthTests : ModelTestBase
{
    [Fact]
    public async Task CheckAsync_ModelListed_ReportsHealthy()
    {
        Server.Models = ["qwen2.5:7b", "bge-m3:latest"];

        var report = await ModelHealth.CheckAsync(Server.BaseUrl, "bge-m3", Http);

        Assert.True(report.Reachable);
        Assert.True(report.Healthy);
        Assert.Contains("has model 'bge-m3'", report.Message, StringComparison.Ordinal);
        Assert.Equal(ScriptedOpenAiServer.ModelsPath, Assert.Single(Server.Requests).Path);
    }

    [Fact]
    public async Task CheckAsync_ModelMissing_ReportsReachableWithPullHint()
    {
        Server.Models = ["llama3.2:3b"];

        var report = await ModelHealth.CheckAsync(LlmOptionsFor(), Http);

        Assert.True(report.Reachable);
        Assert.False(report.Healthy);
        Assert.Contains("model 'qwen2.5:7b' not found", report.Message, StringComparison.Ordinal);
        Assert.Contains("pull it first", report.Message, StringComparison.Ordinal);
        Assert.Contains("llama3.2:3b", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NoModelAsked_ReportsReachable()
    {
        var report = await ModelHealth.CheckAsync(Server.BaseUrl + "/v1", null, Http);

        Assert.True(report.Healthy);
        Assert.Null(report.Model);
    }

    [Fact]
    public async Task CheckAsync_ApiKey_SendsBearer()
    {
        Server.RequiredApiKey = "k1";

        var withKey = await ModelHealth.CheckAsync(Server.BaseUrl, ChatModel, Http, apiKey: "k1");
        var withoutKey = await ModelHealth.CheckAsync(Server.BaseUrl, ChatModel, Http);

        Assert.True(withKey.Healthy);
        Assert.False(withoutKey.Reachable);
        Assert.Contains("ApiKey", withoutKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_ServerRefusesConnections_ReportsUnreachable()
    {
        var report = await ModelHealth.CheckAsync(ClosedPortUrl(), ChatModel, Http);

        Assert.False(report.Reachable);
        Assert.Contains("connection refused", report.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CheckAsync_ServerLoading_ReportsNotReachableWithLoadingMessage()
    {
        Server.EnqueueModels(ScriptedReply.Loading());

        var report = await ModelHealth.CheckAsync(Server.BaseUrl, ChatModel, Http);

        Assert.False(report.Healthy);
        Assert.Contains("loading", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_SlowServer_ReportsTimeoutWithinBound()
    {
        Server.EnqueueModels(ScriptedReply.Generated().WithFirstByteDelay(TimeSpan.FromSeconds(10)));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = await ModelHealth.CheckAsync(Server.BaseUrl, ChatModel, Http, timeout: TimeSpan.FromMilliseconds(300));

        Assert.False(report.Reachable);
        Assert.Contains("did not answer within 300 ms", report.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task CheckAsync_NotAnOpenAiServer_ReportsNotReachable()
    {
        var report = await ModelHealth.CheckAsync(Server.BaseUrl + "/elsewhere", null, Http);

        Assert.False(report.Reachable);
        Assert.Contains("404", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_CallerCancels_Throws()
    {
        Server.EnqueueModels(ScriptedReply.Generated().WithFirstByteDelay(TimeSpan.FromSeconds(10)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ModelHealth.CheckAsync(Server.BaseUrl, ChatModel, Http, cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData("bge-m3", "bge-m3:latest", true)]
    [InlineData("BGE-M3:latest", "bge-m3", true)]
    [InlineData("qwen2.5:7b", "qwen2.5:7b", true)]
    [InlineData("qwen2.5:7b", "qwen2.5:14b", false)]
    [InlineData("qwen2.5", "qwen2.5:7b", false)]
    public void SameModel_Names_MatchIgnoringCaseAndLatestTag(string listed, string wanted, bool expected) =>
        Assert.Equal(expected, ModelHealth.SameModel(listed, wanted));
}
