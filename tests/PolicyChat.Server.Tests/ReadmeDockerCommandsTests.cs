using System.Text.RegularExpressions;

namespace PolicyChat.Server.Tests;

/// <summary>
/// Every `docker compose` command in the README's Docker sections ("Run with Docker", "Scale out") is checked against the
/// files it names: each `-f` file exists and is a compose file, each `--profile` is used by a service, each service
/// exists in the files the command loads, each `VAR=` prefix is a variable those files read, each `-e` setting is one
/// of PolicyChat's, and each `policychat VERB` run in a container is a verb of the CLI. The sections must also give the
/// commands a reader needs: start, expose, Qdrant ports, GPU, a smaller model, the CLI, and the cluster up and down.
/// </summary>
public sealed partial class ReadmeDockerCommandsTests
{
    private static readonly string[] s_sections = ["## Run with Docker", "## Scale out"];

    private static readonly HashSet<string> s_globalOptionsWithValue = new(StringComparer.Ordinal)
    {
        "-f", "--file", "--profile", "-p", "--project-name", "--env-file", "--project-directory",
    };

    // After the subcommand, `-f` is `logs --follow` and takes no value.
    private static readonly HashSet<string> s_subcommandOptionsWithValue = new(StringComparer.Ordinal)
    {
        "-e", "--env", "-u", "--user", "--entrypoint", "-w", "--workdir", "-t", "--timeout", "--index", "--tail", "--since", "--until", "--scale", "--wait-timeout",
    };

    private static readonly HashSet<string> s_serviceCommands = new(StringComparer.Ordinal)
    {
        "up", "down", "logs", "stop", "start", "restart", "pull", "ps", "build", "exec", "run", "rm", "kill", "create",
    };

    public static TheoryData<string> Commands => new(DockerCommands().Distinct(StringComparer.Ordinal));

    [Fact]
    public void Sections_GiveTheCommandsAReaderNeeds()
    {
        var commands = DockerCommands();
        Assert.Contains("docker compose up -d", commands);
        Assert.Contains(commands, c => c.StartsWith("POLICYCHAT_BIND=0.0.0.0 docker compose up -d", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("-f docker-compose.gpu.yml up -d", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("-f docker-compose.qdrant-ports.yml up -d", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.StartsWith("LLM_MODEL=", StringComparison.Ordinal));
        Assert.Contains(commands, c => Regex.IsMatch(c, @"exec .*policychat policychat \w+"));
        Assert.Contains("docker compose --profile cluster up -d", commands);
        Assert.Contains("docker compose --profile cluster down", commands);
        Assert.Contains(commands, c => c.Contains("policychat reindex --from qdrant", StringComparison.Ordinal) && c.Contains("--shards", StringComparison.Ordinal));
        Assert.Contains(Sections(), s => s.Contains("QDRANT_API_KEY=$(openssl rand -hex 32)", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Command_RefersToFilesServicesProfilesAndSettingsThatExist(string command)
    {
        var tokens = Tokenize(command);
        var variables = new List<string>();
        while (tokens[0].Contains('=', StringComparison.Ordinal))
        {
            variables.Add(tokens[0][..tokens[0].IndexOf('=', StringComparison.Ordinal)]);
            tokens.RemoveAt(0);
        }
        Assert.Equal(["docker", "compose"], tokens.Take(2));

        var files = new List<string>();
        var profiles = new List<string>();
        var i = 2;
        for (; i < tokens.Count && tokens[i].StartsWith('-'); i += s_globalOptionsWithValue.Contains(tokens[i]) ? 2 : 1)
        {
            if (tokens[i] is "-f" or "--file")
            {
                files.Add(tokens[i + 1]);
            }
            else if (tokens[i] == "--profile")
            {
                profiles.Add(tokens[i + 1]);
            }
        }
        if (files.Count == 0)
        {
            files.Add("docker-compose.yml");
        }
        foreach (var file in files)
        {
            Assert.True(File.Exists(Path.Combine(ServerFixture.RepoRoot, file)), $"'{command}' loads {file}, which does not exist.");
        }
        var composes = files.Select(f => ComposeFileTests.Load(f)).ToList();
        var services = composes.SelectMany(c => c.ServiceNames).ToHashSet(StringComparer.Ordinal);

        foreach (var variable in variables)
        {
            Assert.True(composes.Any(c => c.VariableNames.Contains(variable)), $"'{command}' sets {variable}, which no loaded compose file reads.");
        }
        foreach (var profile in profiles)
        {
            Assert.True(composes.Any(c => c.ServiceNames.Any(s => c.Profiles(s).Contains(profile))), $"'{command}' names profile '{profile}', which no service has.");
        }

        var subcommand = tokens[i++];
        Assert.Contains(subcommand, s_serviceCommands);
        var positionals = new List<string>();
        for (; i < tokens.Count; i++)
        {
            if (tokens[i] is "-e" or "--env")
            {
                var key = tokens[++i].Split('=')[0].Replace("__", ":", StringComparison.Ordinal);
                Assert.True(ComposeFileTests.IsPolicyChatSetting(key, out var problem), $"'{command}': {problem}");
            }
            else if (tokens[i].StartsWith('-') && positionals.Count == 0)
            {
                i += s_subcommandOptionsWithValue.Contains(tokens[i]) ? 1 : 0;
            }
            else
            {
                positionals.Add(tokens[i]);
                if (subcommand is "exec" or "run")
                {
                    positionals.AddRange(tokens.Skip(i + 1));
                    break;
                }
            }
        }

        var named = subcommand is "exec" or "run" ? positionals.Take(1) : positionals;
        foreach (var service in named)
        {
            Assert.True(services.Contains(service), $"'{command}' names service '{service}', which the loaded files do not define.");
            var serviceProfiles = composes.Where(c => c.HasService(service)).SelectMany(c => c.Profiles(service)).ToList();
            Assert.True(serviceProfiles.Count == 0 || serviceProfiles.Intersect(profiles).Any() || subcommand is "up" or "run",
                $"'{command}' names '{service}' without its profile ({string.Join(", ", serviceProfiles)}).");
        }
        if (subcommand is "exec" or "run" && positionals.Count > 1 && positionals[1] == "policychat" && positionals.Count > 2)
        {
            Assert.Contains(positionals[2], CliVerbs());
        }
    }

    /// <summary>The Docker sections' text (each from its heading to the next level-2 heading).</summary>
    private static List<string> Sections()
    {
        var readme = File.ReadAllText(Path.Combine(ServerFixture.RepoRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var sections = new List<string>();
        foreach (var heading in s_sections)
        {
            var start = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
            Assert.True(start >= 0, $"README.md has no '{heading}' section");
            var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            sections.Add(readme[start..(end < 0 ? readme.Length : end)]);
        }
        return sections;
    }

    /// <summary>Each `docker compose` line of the sections' code blocks, comments dropped.</summary>
    private static List<string> DockerCommands()
    {
        var commands = new List<string>();
        foreach (var section in Sections())
        {
            foreach (Match block in CodeBlock().Matches(section))
            {
                foreach (var line in block.Groups["body"].Value.Split('\n').Select(l => StripComment(l).Trim()))
                {
                    if (DockerLine().IsMatch(line))
                    {
                        commands.Add(line);
                    }
                }
            }
            foreach (Match inline in InlineCode().Matches(section))
            {
                var code = Regex.Replace(inline.Groups["code"].Value, @"\s+", " ");
                if (DockerLine().IsMatch(code))
                {
                    commands.Add(code);
                }
            }
        }
        Assert.NotEmpty(commands);
        return commands;
    }

    private static string StripComment(string line)
    {
        var quoted = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted != '\0')
            {
                quoted = line[i] == quoted ? '\0' : quoted;
            }
            else if (line[i] is '"' or '\'')
            {
                quoted = line[i];
            }
            else if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }
        return line;
    }

    private static List<string> Tokenize(string command) =>
        ShellWord().Matches(command).Select(m => m.Value.Trim('"', '\'')).ToList();

    private static HashSet<string> CliVerbs() =>
        Directory.GetFiles(Path.Combine(ServerFixture.RepoRoot, "src", "PolicyChat.Cli", "Commands"), "*.cs")
            .SelectMany(f => CliVerb().Matches(File.ReadAllText(f)).Select(m => m.Groups["verb"].Value))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"```(?:bash|sh|shell)?\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"`(?<code>[^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^([A-Z_][A-Z0-9_]*=\S+ )*docker compose\b")]
    private static partial Regex DockerLine();

    [GeneratedRegex(@"""[^""]*""|'[^']*'|\S+")]
    private static partial Regex ShellWord();

    [GeneratedRegex(@"new Command\(""(?<verb>[a-z]+)""")]
    private static partial Regex CliVerb();
}
