using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Models;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Core.Storage.Sqlite;
using YamlDotNet.RepresentationModel;

namespace PolicyChat.Server.Tests;

/// <summary>
/// No Docker engine runs here, so docker-compose.yml is checked statically: every setting it passes to PolicyChat
/// exists in the application's options and passes their validation, URLs point at compose services on the ports those
/// services serve, published ports match the port the app listens on, and dependencies and health checks line up.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly Dictionary<string, Type[]> s_sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Storage"] = [typeof(StorageOptions)],
        ["Storage:Sqlite"] = [typeof(SqliteIndexOptions)],
        ["Qdrant"] = [typeof(QdrantOptions)],
        ["Llm"] = [typeof(LlmOptions)],
        ["Embedding"] = [typeof(EmbeddingOptions)],
        ["Retrieval"] = [typeof(RetrievalOptions)],
        ["Answer"] = [typeof(AnswerOptions)],
        ["Chunking"] = [typeof(ChunkingOptions)],
        ["Ingestion"] = [typeof(DocumentLoaderOptions), typeof(IngestionOptions)],
        ["Conversations"] = [typeof(ConversationOptions)],
        ["Server"] = [typeof(ServerOptions), typeof(ServerSecurityOptions)],
        ["Auth"] = [typeof(AuthOptions)],
        ["RateLimits"] = [typeof(RateLimitOptions)],
    };

    private static readonly Dictionary<string, int> s_servicePorts = new(StringComparer.Ordinal)
    {
        ["qdrant/qdrant"] = QdrantOptions.GrpcPort, // PolicyChat talks gRPC
        ["ollama/ollama"] = 11434,
    };

    private readonly YamlMappingNode _services = Compose.Services("docker-compose.yml");

    public static TheoryData<string> PolicyChatServices => ["policychat", "policychat-cluster"];

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void Environment_EverySettingExistsInTheOptions(string service)
    {
        foreach (var entry in Environment(service).Keys.Where(k => k.Contains(':', StringComparison.Ordinal)))
        {
            // A list item (Server:PublicOrigins:0) is checked as its list (Server:PublicOrigins).
            var key = int.TryParse(entry[(entry.LastIndexOf(':') + 1)..], out _) ? entry[..entry.LastIndexOf(':')] : entry;
            var section = key[..key.LastIndexOf(':')];
            var property = key[(key.LastIndexOf(':') + 1)..];
            Assert.True(s_sections.TryGetValue(section, out var types), $"{service}: '{key}' names no options section of PolicyChat.");
            Assert.True(types.Any(t => t.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.CanWrite == true),
                $"{service}: '{key}' is not a setting of {string.Join(" or ", types.Select(t => t.Name))}.");
        }
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void Environment_PassesStartUpValidation(string service)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Environment(service)!).Build();
        using var provider = new ServiceCollection().AddPolicyChat(configuration).BuildServiceProvider();

        foreach (var validator in provider.GetServices<IStartupValidator>())
        {
            validator.Validate(); // throws OptionsValidationException naming the setting
        }
        Assert.True(provider.GetRequiredService<IOptions<StorageOptions>>().Value.IsQdrant, $"{service} should use Qdrant");
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void ServiceUrls_PointAtComposeServicesAndTheirPorts(string service)
    {
        var env = Environment(service);
        foreach (var (key, url) in new QdrantOptions { Url = env["Qdrant:Url"] }.Peers().Select(u => ("Qdrant:Url", u))
            .Concat(new[] { "Llm:Endpoint", "Embedding:Endpoint" }.Select(k => (k, new Uri(env[k])))))
        {
            Assert.True(_services.Children.ContainsKey(url.Host), $"{service}: {key} points at '{url.Host}', which is no compose service.");
            var image = Scalar((YamlMappingNode)_services[url.Host], "image");
            var expectedPort = s_servicePorts.Single(p => image.StartsWith(p.Key + ":", StringComparison.Ordinal)).Value;
            Assert.Equal(expectedPort, url.Port);
            Assert.Contains(url.Host, DependsOn(service));
        }
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void PublishedPort_IsThePortTheAppListensOn(string service)
    {
        var listen = Environment(service)["ASPNETCORE_HTTP_PORTS"];
        var ports = ((YamlSequenceNode)((YamlMappingNode)_services[service])["ports"]).Children.Select(p => Compose.Interpolate(p.ToString())).ToList();

        Assert.Contains(ports, p => p.EndsWith(":" + listen, StringComparison.Ordinal));
        Assert.DoesNotContain("Urls", Environment(service).Keys); // Urls would outrank ASPNETCORE_HTTP_PORTS
    }

    [Fact]
    public void DependsOn_HealthyConditionsHaveHealthChecks_AndImagesArePinned()
    {
        foreach (var (name, node) in _services.Children.Select(p => (p.Key.ToString(), (YamlMappingNode)p.Value)))
        {
            if (node.Children.TryGetValue("image", out var image))
            {
                Assert.DoesNotContain(":latest", image.ToString(), StringComparison.Ordinal);
                Assert.Contains(":", image.ToString(), StringComparison.Ordinal);
            }
            if (!node.Children.TryGetValue("depends_on", out var depends))
            {
                continue;
            }
            foreach (var (target, spec) in ((YamlMappingNode)depends).Children.Select(p => (p.Key.ToString(), (YamlMappingNode)p.Value)))
            {
                Assert.True(_services.Children.ContainsKey(target), $"{name} depends on unknown service {target}");
                if (Scalar(spec, "condition") == "service_healthy")
                {
                    Assert.True(((YamlMappingNode)_services[target]).Children.ContainsKey("healthcheck"), $"{name} waits for {target} to be healthy, but it has no health check");
                }
            }
        }
    }

    [Fact]
    public void ClusterProfile_ShardsAndReplicatesAcrossThreePeers()
    {
        var env = Environment("policychat-cluster");
        Assert.True(int.Parse(env["Qdrant:Shards"], System.Globalization.CultureInfo.InvariantCulture) > 1);
        Assert.True(int.Parse(env["Qdrant:Replicas"], System.Globalization.CultureInfo.InvariantCulture) > 1);
        var peers = _services.Children.Keys.Select(k => k.ToString()).Where(k => k.StartsWith("qdrant-node", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, peers.Count);
        foreach (var peer in peers.Skip(1))
        {
            var command = string.Join(' ', ((YamlSequenceNode)((YamlMappingNode)_services[peer])["command"]).Children);
            Assert.Contains("--bootstrap http://qdrant-node1:6335", command, StringComparison.Ordinal);
            Assert.Equal("true", Scalar((YamlMappingNode)((YamlMappingNode)_services[peer])["environment"], "QDRANT__CLUSTER__ENABLED"));
        }
    }

    private Dictionary<string, string> Environment(string service) => Compose.Environment(_services, service);

    private IEnumerable<string> DependsOn(string service) =>
        ((YamlMappingNode)((YamlMappingNode)_services[service])["depends_on"]).Children.Keys.Select(k => k.ToString());

    private static string Scalar(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? value.ToString() : "";
}
