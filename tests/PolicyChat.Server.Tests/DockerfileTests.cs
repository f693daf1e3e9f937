using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PolicyChat.Server.Tests;

/// <summary>
/// The Dockerfile, read statically (no Docker engine here): pinned base images that the repository's SDK settings
/// accept, a non-root runtime user that owns /data before it becomes a volume, the port set by the image's own
/// ASPNETCORE_HTTP_PORTS convention (no Urls that would outrank it), and the CLI published with a wrapper on PATH.
/// </summary>
public sealed partial class DockerfileTests
{
    private readonly DockerfileTests.Dockerfile _file = Load();

    internal static Dockerfile Load() => new(File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, "Dockerfile")));

    [Fact]
    public void BaseImages_ArePinnedToExactVersions_TheSdkOneAcceptedByGlobalJson()
    {
        var images = _file.Stages.Select(s => s.Image).ToList();
        var sdk = Assert.Single(images, i => i.StartsWith("mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal));
        var runtime = Assert.Single(images, i => i.StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal));
        Assert.Matches(@":10\.0\.\d{3}$", sdk);
        Assert.Matches(@":10\.0\.\d+$", runtime);

        using var global = JsonDocument.Parse(File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, "global.json")));
        var wanted = Version.Parse(global.RootElement.GetProperty("sdk").GetProperty("version").GetString()!);
        var pinned = Version.Parse(sdk[(sdk.LastIndexOf(':') + 1)..]);
        Assert.True(pinned >= wanted && pinned.Major == wanted.Major && pinned.Minor == wanted.Minor,
            $"global.json asks for SDK {wanted} (rollForward latestFeature); the image pins {pinned}.");
    }

    [Fact]
    public void Runtime_RunsAsTheImagesNonRootUser()
    {
        var users = _file.Runtime.Instructions.Where(i => i.Keyword == "USER").Select(i => i.Arguments).ToList();
        Assert.Equal("$APP_UID", users.Last());
        Assert.True(_file.Runtime.Instructions.FindLastIndex(i => i.Keyword == "USER") < _file.Runtime.Instructions.FindIndex(i => i.Keyword == "ENTRYPOINT"));
    }

    [Fact]
    public void Runtime_CreatesAndOwnsDataBeforeTheVolume()
    {
        var instructions = _file.Runtime.Instructions;
        var volume = instructions.FindIndex(i => i.Keyword == "VOLUME" && i.Arguments.Contains("/data", StringComparison.Ordinal));
        var prepare = instructions.FindIndex(i => i.Keyword == "RUN"
            && MkdirData().IsMatch(i.Arguments) && ChownData().IsMatch(i.Arguments));

        Assert.True(volume >= 0, "no VOLUME /data");
        Assert.True(prepare >= 0 && prepare < volume, "/data must be created and chowned to $APP_UID before VOLUME /data");
    }

    [Fact]
    public void Runtime_ListensThroughAspNetCoreHttpPorts_WithNoUrlsThatWouldOutrankIt()
    {
        var env = _file.Runtime.Environment;
        Assert.DoesNotContain(env.Keys, k => k.Equals("Urls", StringComparison.OrdinalIgnoreCase) || k.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("--urls", _file.Runtime.Instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments, StringComparison.Ordinal);

        var port = _file.HttpPorts;
        Assert.Matches(@"^\d+$", port);
        Assert.Contains(_file.Runtime.Instructions, i => i.Keyword == "EXPOSE" && i.Arguments == port);
        Assert.Contains($"127.0.0.1:{port}/healthz", _file.Runtime.Instructions.Single(i => i.Keyword == "HEALTHCHECK").Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_IsPublished_AndOnPathAsPolicychat()
    {
        var assembly = XDocument.Load(Path.Combine(ServerFixture.RepoRoot, "src", "PolicyChat.Cli", "PolicyChat.Cli.csproj")).Descendants("AssemblyName").Single().Value;
        var publish = Regex.Match(string.Join('\n', _file.Stages[0].Instructions.Select(i => i.Arguments)), @"dotnet publish src/PolicyChat\.Cli/PolicyChat\.Cli\.csproj .*-o (?<out>\S+)");
        Assert.True(publish.Success, "the build stage does not publish src/PolicyChat.Cli");

        var copy = _file.Runtime.Instructions.Single(i => i.Keyword == "COPY" && i.Arguments.Contains(publish.Groups["out"].Value, StringComparison.Ordinal));
        var target = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].TrimEnd('/');
        var wrapper = _file.Runtime.Instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("/usr/local/bin/policychat", StringComparison.Ordinal)).Arguments;
        Assert.Contains($"exec dotnet {target}/{assembly}.dll \"$@\"", wrapper, StringComparison.Ordinal);
        Assert.Contains("chmod 755 /usr/local/bin/policychat", wrapper, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerIgnore_KeepsSecretsAndBuildOutputOutOfTheContext()
    {
        var lines = File.ReadAllLines(Path.Combine(ServerFixture.RepoRoot, ".dockerignore")).Select(l => l.Trim()).ToList();
        Assert.Contains(".env", lines);
        Assert.Contains("**/bin/", lines);
        Assert.Contains("**/obj/", lines);
    }

    [GeneratedRegex(@"mkdir (-p )?/data\b")]
    private static partial Regex MkdirData();

    [GeneratedRegex(@"chown ""?\$APP_UID:\$APP_UID""? /data\b")]
    private static partial Regex ChownData();

    internal sealed record Instruction(string Keyword, string Arguments);

    internal sealed record Stage(string Image, List<Instruction> Instructions)
    {
        public Dictionary<string, string> Environment => Instructions.Where(i => i.Keyword == "ENV")
            .SelectMany(i => EnvPair().Matches(i.Arguments).Select(m => (m.Groups["k"].Value, m.Groups["v"].Value)))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>Instructions per stage, continuation lines joined and comments dropped.</summary>
    internal sealed class Dockerfile
    {
        public Dockerfile(string text)
        {
            var logical = Regex.Replace(string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))), @"\\\r?\n", " ");
            foreach (var line in logical.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var instruction = new Instruction(line[..space].ToUpperInvariant(), Regex.Replace(line[(space + 1)..], @"\s+", " ").Trim());
                if (instruction.Keyword == "FROM")
                {
                    Stages.Add(new Stage(instruction.Arguments.Split(' ')[0], []));
                }
                else
                {
                    Stages[^1].Instructions.Add(instruction);
                }
            }
        }

        public List<Stage> Stages { get; } = [];

        public Stage Runtime => Stages[^1];

        public string HttpPorts => Runtime.Environment["ASPNETCORE_HTTP_PORTS"];
    }

    [GeneratedRegex(@"(?<k>[A-Za-z_][A-Za-z0-9_]*)=(?<v>""[^""]*""|\S+)")]
    private static partial Regex EnvPair();
}
