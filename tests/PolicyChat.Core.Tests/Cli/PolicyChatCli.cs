using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Tests.Cli;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public JsonNode Json => JsonNode.Parse(StdOut) ?? throw new InvalidOperationException("The CLI printed no JSON: " + StdErr);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}

/// <summary>
/// Runs the real <c>policychat</c> CLI (the Cli project's own build output, run with <c>dotnet policychat.dll</c>) as a
/// child process in a working directory of the test's, with no language model configured.
/// </summary>
public static class PolicyChatCli
{
    private static readonly Lazy<string> s_dll = new(() =>
    {
        // tests/PolicyChat.Core.Tests/bin/<Configuration>/<tfm>/ → src/PolicyChat.Cli/bin/<Configuration>/<tfm>/policychat.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var candidate = Path.Combine(TestPaths.RepoRoot, "src", "PolicyChat.Cli", "bin", output.Parent!.Name, output.Name, "policychat.dll");
        return File.Exists(candidate) ? candidate : throw new FileNotFoundException("The CLI is not built (the test project references it).", candidate);
    });

    public static string DllPath => s_dll.Value;

    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // No language model: answers are extractive and nothing waits on a model server.
        info.Environment["Llm__Endpoint"] = "";
        info.Environment["Llm__Model"] = "";
        info.Environment["Embedding__Model"] = "";
        info.Environment["DOTNET_NOLOGO"] = "1";
        // A run without --db writes under the test's folder, never into the user's data directory.
        info.Environment["POLICYCHAT_DATA"] = Path.Combine(workingDirectory, "data");
        return info;
    }

    public static async Task<CliResult> RunAsync(string workingDirectory, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args)) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("policychat " + string.Join(' ', args) + " did not finish within 60 s.");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
