using System.Diagnostics;
using System.Text.RegularExpressions;
using PolicyChat.Core.Storage.Qdrant;
using YamlDotNet.RepresentationModel;

namespace PolicyChat.Server.Tests;

/// <summary>
/// The Docker deployment on a real machine, checked against the files without a Docker engine: restarts, loopback-only
/// ports, keys on both sides, the non-root image, the pull-if-missing model service (run with a stand-in `ollama`),
/// the GPU override, the cluster's peers, and every command of the README's Docker sections.
/// </summary>
public sealed partial class ComposeDeploymentTests
{
    private readonly YamlMappingNode _services = Compose.Services("docker-compose.yml");

    private IEnumerable<(string Name, YamlMappingNode Node)> Services => _services.Children.Select(p => (p.Key.ToString(), (YamlMappingNode)p.Value));

    private static string Scalar(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? value.ToString() : "";

    [Fact]
    public void LongRunningServices_RestartUnlessStopped()
    {
        foreach (var (name, node) in Services)
        {
            Assert.Equal(name == "models" ? "no" : "unless-stopped", Scalar(node, "restart"));
        }
    }

    [Fact]
    public void PublishedPorts_BindLoopbackByDefault_AndQdrantPublishesNone()
    {
        foreach (var (name, node) in Services.Where(s => s.Node.Children.ContainsKey("ports")))
        {
            Assert.DoesNotContain("qdrant", name, StringComparison.Ordinal);
            foreach (var port in ((YamlSequenceNode)node["ports"]).Children.Select(p => p.ToString()))
            {
                Assert.StartsWith("${POLICYCHAT_BIND:-127.0.0.1}:", port, StringComparison.Ordinal);
                Assert.StartsWith("127.0.0.1:", Compose.Interpolate(port), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void QdrantApiKey_IsRequiredByEveryQdrantAndPassedToEveryApp()
    {
        var qdrants = Services.Where(s => Scalar(s.Node, "image").StartsWith("qdrant/qdrant:", StringComparison.Ordinal)).ToList();
        var apps = new[] { "policychat", "policychat-cluster" };
        Assert.Equal(4, qdrants.Count);
        var raw = Compose.Map(((YamlMappingNode)_services["policychat"])["environment"])["Qdrant__ApiKey"];
        Assert.Contains("${QDRANT_API_KEY", raw, StringComparison.Ordinal);
        foreach (var (name, _) in qdrants)
        {
            Assert.Equal(Compose.Interpolate(raw), Compose.Environment(_services, name)["QDRANT:SERVICE:API_KEY"]);
        }
        Assert.All(apps, app => Assert.Equal(Compose.Interpolate(raw), Compose.Environment(_services, app)["Qdrant:ApiKey"]));
    }

    [Fact]
    public void ClusterApp_ListsEveryPeerOnTheGrpcPort()
    {
        var peers = new QdrantOptions { Url = Compose.Environment(_services, "policychat-cluster")["Qdrant:Url"] }.Peers();
        var nodes = Services.Select(s => s.Name).Where(n => n.StartsWith("qdrant-node", StringComparison.Ordinal)).Order().ToList();

        Assert.Equal(nodes, peers.Select(p => p.Host));
        Assert.All(peers, p => Assert.Equal(QdrantOptions.GrpcPort, p.Port));
    }

    [Theory]
    [InlineData("policychat")]
    [InlineData("policychat-cluster")]
    public void DenseVector_IsCreatedWithTheCollectionAtTheEmbeddersSize(string app)
    {
        var env = Compose.Environment(_services, app);

        Assert.Equal(env["Embedding:Dimensions"], env["Qdrant:DenseDimensions"]);
    }

    [Fact]
    public void AppTimeouts_FitASevenBillionParameterModelOnCpu_AndTheModelStaysLoaded()
    {
        var env = Compose.Environment(_services, "policychat");
        Assert.True(int.Parse(env["Llm:FirstTokenTimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture) >= 180);
        Assert.Equal("24h", Compose.Environment(_services, "ollama")["OLLAMA_KEEP_ALIVE"]);
        Assert.True(int.Parse(Compose.Environment(_services, "ollama")["OLLAMA_NUM_PARALLEL"], System.Globalization.CultureInfo.InvariantCulture) > 1);
    }

    [Fact]
    public void ModelsEntrypoint_PullsOnlyMissingModels_SoRestartsWorkOffline()
    {
        var env = Compose.Environment(_services, "policychat");
        // Online, nothing pulled yet: both models are pulled.
        var first = RunModels(present: [], online: true);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal([$"pull {env["Llm:Model"]}", $"pull {env["Embedding:Model"]}"], first.Pulls);
        // Offline, both present: nothing is pulled and the service succeeds, so PolicyChat starts.
        var offline = RunModels(present: [env["Llm:Model"], env["Embedding:Model"]], online: false);
        Assert.Equal(0, offline.ExitCode);
        Assert.Empty(offline.Pulls);
        // Offline with the embedding model missing: the service fails (PolicyChat does not start half-configured).
        var missing = RunModels(present: [env["Llm:Model"]], online: false);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Equal([$"pull {env["Embedding:Model"]}"], missing.Pulls);
    }

    /// <summary>Runs the models service's entrypoint with a stand-in `ollama`: `show` succeeds for present models, `pull` only online.</summary>
    private (int ExitCode, List<string> Pulls) RunModels(string[] present, bool online)
    {
        var dir = Directory.CreateTempSubdirectory("ollama-stub").FullName;
        var log = Path.Combine(dir, "calls.log");
        File.WriteAllText(Path.Combine(dir, "present"), string.Join('\n', present) + "\n");
        var script = $$"""
            #!/bin/sh
            if [ "$1" = "show" ]; then grep -qxF "$2" "{{dir}}/present"; exit $?; fi
            if [ "$1" = "pull" ]; then echo "pull $2" >> "{{log}}"; {{(online ? "exit 0" : "echo 'Error: pull model manifest: dial tcp: lookup registry.ollama.ai: no such host' >&2; exit 1")}}; fi
            exit 2
            """;
        File.WriteAllText(Path.Combine(dir, "ollama"), script.Replace("\r", "", StringComparison.Ordinal));
        Assert.False(OperatingSystem.IsWindows(), "the models entrypoint is a POSIX shell script");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(dir, "ollama"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var entrypoint = ((YamlSequenceNode)((YamlMappingNode)_services["models"])["entrypoint"]).Children.Select(c => Compose.Interpolate(c.ToString())).ToList();
        Assert.Equal(["/bin/sh", "-c"], entrypoint.Take(2));
        var start = new ProcessStartInfo(entrypoint[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(entrypoint[2]);
        start.Environment["PATH"] = dir + ":" + System.Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        process.WaitForExit(10_000);
        return (process.ExitCode, File.Exists(log) ? File.ReadAllLines(log).ToList() : []);
    }

    [Fact]
    public void Dockerfile_RunsAsTheNonRootUser_OwnsData_UsesHttpPorts_AndPinsImages()
    {
        var lines = File.ReadAllLines(Path.Combine(ServerFixture.RepoRoot, "Dockerfile")).Select(l => l.Trim()).ToList();
        var text = string.Join('\n', lines);
        int Index(string prefix) => lines.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));

        Assert.True(Index("USER $APP_UID") > Index("FROM mcr.microsoft.com/dotnet/aspnet:"), "the runtime stage switches to the image's non-root user");
        Assert.Contains("mkdir -p /data && chown \"$APP_UID\" /data", text, StringComparison.Ordinal);
        Assert.True(lines.FindIndex(l => l.Contains("chown", StringComparison.Ordinal)) < Index("VOLUME /data"), "/data is owned by the user before it becomes a volume");
        Assert.DoesNotMatch(@"\bUrls\s*=", text);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=5080", text, StringComparison.Ordinal);
        Assert.Equal("5080", Compose.Environment(_services, "policychat")["ASPNETCORE_HTTP_PORTS"]);
        foreach (var from in lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)))
        {
            Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/(sdk|aspnet):\d+\.\d+\.\d+ AS \w+$", from);
        }
        Assert.Matches(@"FROM mcr\.microsoft\.com/dotnet/sdk:10\.0\.100 ", text); // the SDK of global.json
        Assert.Contains("dotnet publish src/PolicyChat.Cli/PolicyChat.Cli.csproj", text, StringComparison.Ordinal);
        Assert.Contains("exec dotnet /app/cli/policychat.dll", text, StringComparison.Ordinal);
        Assert.DoesNotContain(":latest", File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, "docker-compose.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public void GpuOverride_IsValidComposeForExistingServices_AndReservesNvidiaGpus()
    {
        var root = Compose.Root("docker-compose.gpu.yml");
        var services = (YamlMappingNode)root["services"];

        Assert.Equal(["services"], root.Children.Keys.Select(k => k.ToString()));
        Assert.All(services.Children.Keys, k => Assert.True(_services.Children.ContainsKey(k), $"{k} is no service of docker-compose.yml"));
        var device = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)services["ollama"])["deploy"])["resources"])["reservations"]["devices"])[0];
        Assert.Equal("nvidia", Scalar(device, "driver"));
        Assert.Contains("gpu", ((YamlSequenceNode)device["capabilities"]).Children.Select(c => c.ToString()));
        foreach (var key in Compose.Environment(services, "policychat").Keys)
        {
            Assert.True(Compose.Environment(_services, "policychat").ContainsKey(key), $"the GPU override sets {key}, which the base file does not");
        }
    }

    [Fact]
    public void ReadmeDockerCommands_NameFilesProfilesServicesAndCliOptionsThatExist()
    {
        var readme = File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, "README.md"));
        var sections = readme[readme.IndexOf("## Run with Docker", StringComparison.Ordinal)..readme.IndexOf("## Tests", StringComparison.Ordinal)];
        var commands = DockerCommand().Matches(sections).Select(m => m.Value.Trim()).Distinct().ToList();
        var profiles = Services.SelectMany(s => s.Node.Children.TryGetValue("profiles", out var p) ? ((YamlSequenceNode)p).Children.Select(c => c.ToString()) : []).ToHashSet();
        var reindexSource = File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, "src/PolicyChat.Cli/Commands/ReindexCommand.cs"));
        var reindexOptions = OptionName().Matches(reindexSource).Select(m => m.Groups[1].Value).Append("--db").ToHashSet();

        Assert.True(commands.Count >= 5, string.Join("\n", commands));
        foreach (var command in commands)
        {
            var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < words.Length - 1; i++)
            {
                switch (words[i])
                {
                    case "-f":
                        Assert.True(File.Exists(Path.Combine(ServerFixture.RepoRoot, words[i + 1])), $"{command}: no file {words[i + 1]}");
                        break;
                    case "--profile":
                        Assert.Contains(words[i + 1], profiles);
                        break;
                    case "exec":
                        Assert.True(_services.Children.ContainsKey(words[i + 1]), $"{command}: no service {words[i + 1]}");
                        break;
                }
            }
            Assert.Contains(words[2..].First(w => !w.StartsWith('-') && !w.EndsWith(".yml", StringComparison.Ordinal) && !profiles.Contains(w)), new[] { "up", "down", "exec" });
            foreach (var option in words.SkipWhile(w => w != "reindex").Where(w => w.StartsWith("--", StringComparison.Ordinal)))
            {
                Assert.Contains(option, reindexOptions);
            }
        }
        Assert.Contains(commands, c => c.EndsWith("--profile cluster down", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("reindex --from qdrant", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"new Option<[^>]+>\(""(--[a-z-]+)""")]
    private static partial Regex OptionName();

    [GeneratedRegex(@"^docker compose [^\n`]+$", RegexOptions.Multiline)]
    private static partial Regex DockerCommand();
}
