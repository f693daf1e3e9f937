using PolicyChat.Core.Models;

namespace PolicyChat.Core.Tests.Models;

public sealed class ModelOptionsTests
{
    [Fact]
    public void LlmOptions_Defaults_AreEnabledAndValid()
    {
        var options = new LlmOptions();

        Assert.True(options.Enabled);
        Assert.Empty(options.Validate());
        Assert.Equal("http://localhost:11434", options.Endpoint);
        Assert.Equal("qwen2.5:7b", options.Model);
        Assert.Equal(120, options.TimeoutSeconds);
        Assert.Equal(60, options.FirstTokenTimeoutSeconds);
        Assert.Equal(0.2f, options.Temperature);
        Assert.Equal(1024, options.MaxOutputTokens);
    }

    [Theory]
    [InlineData("localhost:11434")]
    [InlineData("ftp://models.example")]
    [InlineData("not a url")]
    public void LlmOptions_BadEndpoint_NamesTheSetting(string endpoint)
    {
        var problems = new LlmOptions { Endpoint = endpoint }.Validate().ToList();

        Assert.Contains(problems, p => p.StartsWith("Llm:Endpoint must be an absolute http(s) URL", StringComparison.Ordinal));
    }

    [Fact]
    public void LlmOptions_OutOfRangeValues_ReportEachSetting()
    {
        var problems = new LlmOptions { TimeoutSeconds = 0, FirstTokenTimeoutSeconds = 500, Temperature = 3, MaxOutputTokens = 0 }.Validate().ToList();

        Assert.Contains("Llm:TimeoutSeconds must be between 1 and 3600", problems);
        Assert.Contains(problems, p => p.StartsWith("Llm:FirstTokenTimeoutSeconds", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Llm:Temperature", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Llm:MaxOutputTokens", StringComparison.Ordinal));
    }

    [Fact]
    public void LlmOptions_BothEmpty_IsDisabledAndValid()
    {
        var options = new LlmOptions { Endpoint = "", Model = "" };

        Assert.False(options.Enabled);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void LlmOptions_OnlyModelEmpty_ReportsHalfConfigured()
    {
        var problems = new LlmOptions { Model = "" }.Validate().ToList();

        Assert.Contains(problems, p => p.Contains("Llm:Model", StringComparison.Ordinal));
    }

    [Fact]
    public void EmbeddingOptions_Defaults_AreDisabledAndValid()
    {
        var options = new EmbeddingOptions();

        Assert.False(options.Enabled);
        Assert.Empty(options.Validate());
        Assert.Equal(32, options.BatchSize);
        Assert.Null(options.Dimensions);
    }

    [Fact]
    public void EmbeddingOptions_BadValues_NameEachSetting()
    {
        var problems = new EmbeddingOptions { Model = "bge-m3", Endpoint = "nowhere", BatchSize = 0, Dimensions = 0, TimeoutSeconds = 0 }.Validate().ToList();

        Assert.Contains(problems, p => p.StartsWith("Embedding:Endpoint must be an absolute http(s) URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Embedding:BatchSize", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Embedding:Dimensions", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Embedding:TimeoutSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public void EmbeddingOptions_ModelWithoutEndpoint_ReportsEndpoint()
    {
        var problems = new EmbeddingOptions { Model = "bge-m3", Endpoint = "" }.Validate().ToList();

        Assert.Contains(problems, p => p.StartsWith("Embedding:Endpoint must be set", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://localhost:11434", "http://localhost:11434")]
    [InlineData("http://localhost:11434/", "http://localhost:11434")]
    [InlineData("http://localhost:11434/v1", "http://localhost:11434")]
    [InlineData("http://localhost:11434/v1/", "http://localhost:11434")]
    [InlineData("https://gpu.example/ollama", "https://gpu.example/ollama")]
    public void ModelEndpoints_BaseUrl_StripsSlashAndV1(string endpoint, string expected) =>
        Assert.Equal(expected, ModelEndpoints.BaseUrl(endpoint));
}
