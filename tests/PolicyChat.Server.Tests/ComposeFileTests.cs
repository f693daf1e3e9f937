using System.Globalization;
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
/// services serve, published ports match the port the app listens on and stay on loopback, long-running services come
/// back after a reboot, one Qdrant key reaches both sides, and dependencies and health checks line up.
/// </summary>
public sealed class ComposeFileTests
{
    internal const string ApiKey = "test-qdrant-key-0123456789abcdef";

    internal static readonly Dictionary<string, Type[]> Sections = new(StringComparer.OrdinalIgnoreCase)
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
        ["qdrant/qdrant"] = QdrantGrpcPort,
        ["ollama/ollama"] = 11434,
    };

    private const int QdrantGrpcPort = 6334;

    private readonly ComposeFile _compose = Load();

    public static TheoryData<string> PolicyChatServices => ["policychat", "policychat-cluster"];

    internal static ComposeFile Load(string file = "docker-compose.yml", Dictionary<string, string>? variables = null) =>
        new(file, variables ?? new Dictionary<string, string> { ["QDRANT_API_KEY"] = ApiKey });

    /// <summary>A setting key such as <c>Qdrant:Url</c> names a writable property of one of PolicyChat's options classes.</summary>
    internal static bool IsPolicyChatSetting(string key, out string problem)
    {
        problem = "";
        // A list item (Server:PublicOrigins:0) is checked as its list (Server:PublicOrigins).
        key = int.TryParse(key[(key.LastIndexOf(':') + 1)..], out _) ? key[..key.LastIndexOf(':')] : key;
        var section = key[..key.LastIndexOf(':')];
        var property = key[(key.LastIndexOf(':') + 1)..];
        if (!Sections.TryGetValue(section, out var types))
        {
            problem = $"'{key}' names no options section of PolicyChat.";
            return false;
        }
        if (!types.Any(t => t.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.CanWrite == true))
        {
            problem = $"'{key}' is not a setting of {string.Join(" or ", types.Select(t => t.Name))}.";
            return false;
        }
        return true;
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void Environment_EverySettingExistsInTheOptions(string service)
    {
        foreach (var key in _compose.Settings(service).Keys.Where(k => k.Contains(':', StringComparison.Ordinal)))
        {
            Assert.True(IsPolicyChatSetting(key, out var problem), $"{service}: {problem}");
        }
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void Environment_PassesStartUpValidation_WithEachQdrantPeer(string service)
    {
        var settings = _compose.Settings(service);
        foreach (var peer in Peers(settings))
        {
            // Each listed peer on its own; the list as a whole is QdrantOptions' business (its own tests).
            var withPeer = new Dictionary<string, string?>(settings!, StringComparer.OrdinalIgnoreCase) { ["Qdrant:Url"] = peer.ToString() };
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(withPeer).Build();
            using var provider = new ServiceCollection().AddPolicyChat(configuration).BuildServiceProvider();

            foreach (var validator in provider.GetServices<IStartupValidator>())
            {
                validator.Validate(); // throws OptionsValidationException naming the setting
            }
            Assert.True(provider.GetRequiredService<IOptions<StorageOptions>>().Value.IsQdrant, $"{service} should use Qdrant");
        }
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void ServiceUrls_PointAtComposeServicesAndTheirPorts(string service)
    {
        var settings = _compose.Settings(service);
        var urls = Peers(settings).Select(u => ("Qdrant:Url", u))
            .Concat([("Llm:Endpoint", new Uri(settings["Llm:Endpoint"])), ("Embedding:Endpoint", new Uri(settings["Embedding:Endpoint"]))]);
        foreach (var (key, url) in urls)
        {
            Assert.True(_compose.HasService(url.Host), $"{service}: {key} points at '{url.Host}', which is no compose service.");
            var image = _compose.Scalar(url.Host, "image");
            var expectedPort = s_servicePorts.Single(p => image.StartsWith(p.Key + ":", StringComparison.Ordinal)).Value;
            Assert.Equal(expectedPort, url.Port);
            Assert.Contains(url.Host, _compose.DependsOn(service));
        }
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void PublishedPort_IsThePortTheAppListensOn(string service)
    {
        var listen = _compose.Environment(service).TryGetValue("ASPNETCORE_HTTP_PORTS", out var ports) ? ports : DockerfileTests.Load().HttpPorts;
        Assert.DoesNotContain(_compose.Environment(service).Keys, k => k is "Urls" or "ASPNETCORE_URLS");

        Assert.Contains(_compose.Sequence(service, "ports"), p => p.EndsWith(":" + listen, StringComparison.Ordinal));
    }

    [Fact]
    public void PublishedPorts_AreOnLoopbackByDefault_AndQdrantIsNotPublished()
    {
        foreach (var service in _compose.ServiceNames)
        {
            foreach (var port in _compose.Sequence(service, "ports"))
            {
                Assert.True(port.StartsWith("127.0.0.1:", StringComparison.Ordinal), $"{service} publishes '{port}' beyond loopback by default.");
            }
            if (_compose.Scalar(service, "image").StartsWith("qdrant/qdrant:", StringComparison.Ordinal))
            {
                Assert.Empty(_compose.Sequence(service, "ports"));
            }
        }
    }

    [Fact]
    public void PublishedPorts_TheDocumentedVariableExposesPolicyChat()
    {
        var exposed = Load(variables: new() { ["QDRANT_API_KEY"] = ApiKey, ["POLICYCHAT_BIND"] = "0.0.0.0" });

        Assert.Equal(["0.0.0.0:5080:5080"], exposed.Sequence("policychat", "ports"));
        Assert.Equal(["0.0.0.0:5081:5080"], exposed.Sequence("policychat-cluster", "ports"));
    }

    [Fact]
    public void LongRunningServices_RestartUnlessStopped_OneShotsDoNot()
    {
        foreach (var service in _compose.ServiceNames)
        {
            var oneShot = _compose.ServiceNames.Any(s => _compose.Service(s).Children.TryGetValue("depends_on", out var d)
                && ((YamlMappingNode)d).Children.TryGetValue(service, out var spec)
                && _compose.Scalar((YamlMappingNode)spec, "condition") == "service_completed_successfully");
            Assert.Equal(oneShot ? "no" : "unless-stopped", _compose.Scalar(service, "restart"));
        }
    }

    [Fact]
    public void QdrantApiKey_OneVariableReachesEveryQdrantAndEveryApp()
    {
        var qdrants = _compose.ServiceNames.Where(s => _compose.Scalar(s, "image").StartsWith("qdrant/qdrant:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, qdrants.Count);
        foreach (var qdrant in qdrants)
        {
            Assert.Equal(ApiKey, _compose.Environment(qdrant)["QDRANT__SERVICE__API_KEY"]);
        }
        foreach (var app in new[] { "policychat", "policychat-cluster" })
        {
            Assert.Equal(ApiKey, _compose.Settings(app)["Qdrant:ApiKey"]);
        }
    }

    [Fact]
    public void QdrantApiKey_IsRequired_WithAMessageThatSaysWhereToSetIt()
    {
        var compose = Load(variables: []);

        var error = Assert.Throws<ComposeVariableException>(() => compose.Environment("qdrant"));
        Assert.Equal("QDRANT_API_KEY", error.Name);
        Assert.Contains(".env", error.Message, StringComparison.Ordinal);
        Assert.Throws<ComposeVariableException>(() => compose.Settings("policychat"));
    }

    [Fact]
    public void QdrantHealthCheck_ProbesTheGrpcPortTheAppUses()
    {
        foreach (var service in _compose.ServiceNames.Where(s => _compose.Scalar(s, "image").StartsWith("qdrant/qdrant:", StringComparison.Ordinal)))
        {
            var healthcheck = (YamlMappingNode)_compose.Service(service)["healthcheck"];
            var test = string.Join(' ', ((YamlSequenceNode)healthcheck["test"]).Children);
            Assert.Contains($"/dev/tcp/127.0.0.1/{QdrantGrpcPort}", test, StringComparison.Ordinal);
            Assert.StartsWith("CMD bash -c", test, StringComparison.Ordinal); // the image has no curl
        }
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void Ollama_KeepsTheModelLoaded_ServesInParallel_AndUsesTheAppsContextWindow(string service)
    {
        var ollama = _compose.Environment("ollama");
        var settings = _compose.Settings(service);

        Assert.Equal(ollama["OLLAMA_CONTEXT_LENGTH"], settings["Llm:ContextTokens"]);
        Assert.NotEqual("5m", ollama["OLLAMA_KEEP_ALIVE"]);
        Assert.True(int.Parse(ollama["OLLAMA_NUM_PARALLEL"], CultureInfo.InvariantCulture) >= 2);

        var custom = Load(variables: new() { ["QDRANT_API_KEY"] = ApiKey, ["POLICYCHAT_CONTEXT_TOKENS"] = "16384" });
        Assert.Equal("16384", custom.Environment("ollama")["OLLAMA_CONTEXT_LENGTH"]);
        Assert.Equal("16384", custom.Settings(service)["Llm:ContextTokens"]);
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void QdrantCollection_IsCreatedWithTheDenseVectorTheEmbedderNeeds(string service)
    {
        var settings = _compose.Settings(service);

        Assert.False(string.IsNullOrEmpty(settings["Embedding:Model"]));
        Assert.Equal(settings["Embedding:Dimensions"], settings["Qdrant:DenseDimensions"]);

        var other = Load(variables: new() { ["QDRANT_API_KEY"] = ApiKey, ["EMBEDDING_MODEL"] = "nomic-embed-text", ["EMBEDDING_DIMENSIONS"] = "768" });
        Assert.Equal("nomic-embed-text", other.Settings(service)["Embedding:Model"]);
        Assert.Equal("768", other.Settings(service)["Embedding:Dimensions"]);
        Assert.Equal("768", other.Settings(service)["Qdrant:DenseDimensions"]);
        Assert.Contains("ollama show nomic-embed-text >/dev/null 2>&1 || ollama pull nomic-embed-text", other.Sequence("models", "entrypoint")[2], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PolicyChatServices))]
    public void LlmTimeouts_FitAModelOnCpu(string service)
    {
        var settings = _compose.Settings(service);
        var defaults = new LlmOptions();

        Assert.True(int.Parse(settings["Llm:FirstTokenTimeoutSeconds"], CultureInfo.InvariantCulture) >= 4 * defaults.FirstTokenTimeoutSeconds);
        Assert.True(int.Parse(settings["Llm:TimeoutSeconds"], CultureInfo.InvariantCulture) >= 4 * defaults.TimeoutSeconds);
    }

    [Fact]
    public void DependsOn_HealthyConditionsHaveHealthChecks_AndImagesArePinned()
    {
        foreach (var name in _compose.ServiceNames)
        {
            var image = _compose.Scalar(name, "image");
            if (image.Length > 0)
            {
                Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
                Assert.Matches(@":v?\d+\.\d+\.\d+$", image);
            }
            if (!_compose.Service(name).Children.TryGetValue("depends_on", out var depends))
            {
                continue;
            }
            foreach (var (target, spec) in ((YamlMappingNode)depends).Children.Select(p => (p.Key.ToString(), (YamlMappingNode)p.Value)))
            {
                Assert.True(_compose.HasService(target), $"{name} depends on unknown service {target}");
                if (_compose.Scalar(spec, "condition") == "service_healthy")
                {
                    Assert.True(_compose.Service(target).Children.ContainsKey("healthcheck"), $"{name} waits for {target} to be healthy, but it has no health check");
                }
            }
        }
    }

    [Fact]
    public void ClusterProfile_ShardsAndReplicatesAcrossThreePeers_AndTheAppListsEveryPeer()
    {
        var settings = _compose.Settings("policychat-cluster");
        Assert.True(int.Parse(settings["Qdrant:Shards"], CultureInfo.InvariantCulture) > 1);
        Assert.True(int.Parse(settings["Qdrant:Replicas"], CultureInfo.InvariantCulture) > 1);
        var peers = _compose.ServiceNames.Where(k => k.StartsWith("qdrant-node", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, peers.Count);
        foreach (var peer in peers)
        {
            Assert.Equal(["cluster"], _compose.Profiles(peer));
            Assert.Equal("true", _compose.Environment(peer)["QDRANT__CLUSTER__ENABLED"]);
        }
        foreach (var peer in peers.Skip(1))
        {
            Assert.Contains("--bootstrap http://qdrant-node1:6335", string.Join(' ', _compose.Sequence(peer, "command")), StringComparison.Ordinal);
        }

        Assert.Equal(peers.Order(), Peers(settings).Select(u => u.Host).Order());
        Assert.All(Peers(settings), u => Assert.Equal(QdrantGrpcPort, u.Port));
    }

    /// <summary>The Qdrant peers a settings dictionary lists, comma-separated as <c>Qdrant:Url</c> accepts them.</summary>
    internal static IReadOnlyList<Uri> Peers(IReadOnlyDictionary<string, string> settings) =>
        settings["Qdrant:Url"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToList();
}
