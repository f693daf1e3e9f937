using System.Diagnostics;

namespace PolicyChat.Server.Tests;

/// <summary>
/// The one-shot `models` service pulls a model only when the Ollama server lacks it (`ollama pull` always asks the
/// registry first, so an unconditional pull fails every offline start). Its entrypoint is run here with /bin/sh against
/// a fake `ollama` that knows which models are present and whether the network is up.
/// </summary>
public sealed class ComposeModelsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policychat-models-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Entrypoint_PullsEveryModelTheAppsUse_OnlyAfterCheckingForIt()
    {
        var compose = ComposeFileTests.Load();
        var script = Script(compose);
        foreach (var app in new[] { "policychat", "policychat-cluster" })
        {
            foreach (var key in new[] { "Llm:Model", "Embedding:Model" })
            {
                var model = compose.Settings(app)[key];
                Assert.Contains($"ollama show {model} >/dev/null 2>&1 || ollama pull {model}", script, StringComparison.Ordinal);
            }
        }
        Assert.Contains("models", compose.DependsOn("policychat"));
        Assert.Contains("models", compose.DependsOn("policychat-cluster"));
    }

    [Fact]
    public void Offline_WithTheModelsPresent_SucceedsWithoutPulling()
    {
        var (exit, calls) = Run(present: ["qwen2.5:7b", "bge-m3"], online: false);

        Assert.Equal(0, exit);
        Assert.DoesNotContain(calls, c => c.StartsWith("pull", StringComparison.Ordinal));
    }

    [Fact]
    public void Offline_WithAModelMissing_Fails()
    {
        var (exit, calls) = Run(present: ["bge-m3"], online: false);

        Assert.NotEqual(0, exit);
        Assert.Contains("pull qwen2.5:7b", calls);
    }

    [Fact]
    public void Online_PullsOnlyTheMissingModel_AndTheChosenChatModel()
    {
        var (exit, calls) = Run(present: ["bge-m3"], online: true, chatModel: "qwen2.5:3b");

        Assert.Equal(0, exit);
        Assert.Equal(["pull qwen2.5:3b"], calls.Where(c => c.StartsWith("pull", StringComparison.Ordinal)));
    }

    private static string Script(ComposeFile compose)
    {
        var entrypoint = compose.Sequence("models", "entrypoint");
        Assert.Equal(["/bin/sh", "-c"], entrypoint.Take(2));
        return entrypoint[2];
    }

    private (int Exit, List<string> Calls) Run(string[] present, bool online, string? chatModel = null)
    {
        var variables = new Dictionary<string, string> { ["QDRANT_API_KEY"] = ComposeFileTests.ApiKey };
        if (chatModel is not null)
        {
            variables["LLM_MODEL"] = chatModel;
        }
        var compose = ComposeFileTests.Load(variables: variables);
        Assert.Equal(chatModel ?? "qwen2.5:7b", compose.Settings("policychat")["Llm:Model"]);

        var log = Path.Combine(_dir, "calls.log");
        var models = Path.Combine(_dir, "models.txt");
        File.WriteAllLines(models, present);
        File.WriteAllText(log, "");
        var fake = Path.Combine(_dir, "ollama");
        File.WriteAllText(fake, $$"""
            #!/bin/sh
            echo "$1 $2" >> '{{log}}'
            case "$1" in
              show) grep -qxF "$2" '{{models}}' ;;
              pull) {{(online ? $"echo \"$2\" >> '{models}'" : "echo 'Error: pull model manifest: dial tcp: lookup registry.ollama.ai: no such host' >&2; exit 1")}} ;;
              *) exit 2 ;;
            esac
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The models entrypoint runs under /bin/sh; run this test on Linux or macOS.");
        }
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", Script(compose) }, RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["PATH"] = _dir + ":" + System.Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(10_000));
        return (process.ExitCode, File.ReadAllLines(log).Where(l => l.Length > 0).ToList());
    }
}
