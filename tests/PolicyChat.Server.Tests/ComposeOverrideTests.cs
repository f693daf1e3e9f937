using YamlDotNet.RepresentationModel;

namespace PolicyChat.Server.Tests;

/// <summary>
/// The optional override files merge onto docker-compose.yml: each names only services the base file defines, the GPU
/// file reserves NVIDIA devices for Ollama the way the Compose specification spells it (and keeps the app's timeouts
/// valid), and the Qdrant ports file publishes Qdrant on loopback only.
/// </summary>
public sealed class ComposeOverrideTests
{
    private readonly ComposeFile _base = ComposeFileTests.Load();

    public static TheoryData<string> Overrides => ["docker-compose.gpu.yml", "docker-compose.qdrant-ports.yml"];

    [Theory]
    [MemberData(nameof(Overrides))]
    public void Override_NamesOnlyBaseServices_AndRedefinesNoImage(string file)
    {
        var overlay = ComposeFileTests.Load(file);
        Assert.Equal(["services"], overlay.Root.Children.Keys.Select(k => k.ToString()));
        foreach (var service in overlay.ServiceNames)
        {
            Assert.True(_base.HasService(service), $"{file} names '{service}', which docker-compose.yml does not define.");
            Assert.False(overlay.Service(service).Children.ContainsKey("image"), $"{file} must not replace {service}'s image");
        }
    }

    [Fact]
    public void Gpu_ReservesEveryNvidiaGpuForOllama()
    {
        var gpu = ComposeFileTests.Load("docker-compose.gpu.yml");

        var reservations = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)gpu.Service("ollama")["deploy"])["resources"])["reservations"];
        var device = (YamlMappingNode)Assert.Single(((YamlSequenceNode)reservations["devices"]).Children);
        Assert.Equal("nvidia", gpu.Scalar(device, "driver"));
        Assert.Equal("all", gpu.Scalar(device, "count"));
        Assert.Equal(["gpu"], ((YamlSequenceNode)device["capabilities"]).Children.Select(c => c.ToString()));
        Assert.Equal(["resources"], ((YamlMappingNode)gpu.Service("ollama")["deploy"]).Children.Keys.Select(k => k.ToString()));
    }

    [Theory]
    [MemberData(nameof(ComposeFileTests.PolicyChatServices), MemberType = typeof(ComposeFileTests))]
    public void Gpu_TimeoutsOverrideSettingsThatExist_AndStayValid(string service)
    {
        var gpu = ComposeFileTests.Load("docker-compose.gpu.yml");
        var merged = _base.Settings(service);
        foreach (var (key, value) in gpu.Settings(service))
        {
            Assert.True(ComposeFileTests.IsPolicyChatSetting(key, out var problem), problem);
            Assert.True(merged.ContainsKey(key), $"{key} overrides nothing in docker-compose.yml");
            merged[key] = value;
        }
        var options = new PolicyChat.Core.Models.LlmOptions
        {
            FirstTokenTimeoutSeconds = int.Parse(merged["Llm:FirstTokenTimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture),
            TimeoutSeconds = int.Parse(merged["Llm:TimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture),
        };
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void QdrantPorts_PublishRestAndGrpcOnLoopbackOnly()
    {
        var ports = ComposeFileTests.Load("docker-compose.qdrant-ports.yml");

        Assert.Equal(["127.0.0.1:6333:6333", "127.0.0.1:6334:6334"], ports.Sequence("qdrant", "ports"));
        Assert.All(ports.ServiceNames.SelectMany(s => ports.Sequence(s, "ports")), p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
        Assert.Empty(_base.Sequence("qdrant", "ports"));
    }
}
