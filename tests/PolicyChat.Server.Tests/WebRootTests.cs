using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using PolicyChat.Server.Infrastructure;

namespace PolicyChat.Server.Tests;

/// <summary>The chat page is served wherever the built server is started from (not only from its project folder).</summary>
public sealed partial class WebRootTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policychat-webroot-tests", Guid.NewGuid().ToString("N"));

    public WebRootTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }
    }

    [Fact]
    public void Locate_ConfiguredFolderWithoutPage_FindsTheProjectsWebRootAboveTheAssembly()
    {
        var build = Path.Combine(_folder, "repo", "src", "PolicyChat.Server", "bin", "Debug", "net10.0");
        var project = Path.Combine(_folder, "repo", "src", "PolicyChat.Server", "wwwroot");
        Directory.CreateDirectory(build);
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "index.html"), "<!doctype html>");

        Assert.Equal(project, WebRoot.Locate(Path.Combine(_folder, "elsewhere", "wwwroot"), build));

        var published = Path.Combine(build, "wwwroot");
        Directory.CreateDirectory(published);
        File.WriteAllText(Path.Combine(published, "index.html"), "<!doctype html>");
        Assert.Equal(published, WebRoot.Locate(Path.Combine(_folder, "elsewhere", "wwwroot"), build));
    }

    [Fact]
    public async Task BuiltServer_StartedFromAnotherFolder_ServesThePage()
    {
        var assembly = typeof(WebRoot).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            assembly, "--urls", "http://127.0.0.1:0",
            "--Server:SeedOnStart=false",
            $"--Storage:Sqlite:Path={Path.Combine(_folder, "index.db")}",
            $"--Conversations:Path={Path.Combine(_folder, "conversations.db")}",
            $"--Answer:PromptsPath={Path.Combine(ServerFixture.RepoRoot, "prompts")}",
            "--Llm:Endpoint=", "--Llm:Model=", "--Embedding:Endpoint=", "--Embedding:Model=",
        })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        try
        {
            var address = await ListeningAddressAsync(process, TimeSpan.FromSeconds(60));
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            var response = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("js/main.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/js/chat.js")).StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<string> ListeningAddressAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var output = new System.Text.StringBuilder();
        while (!cts.IsCancellationRequested)
        {
            var line = await process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null)
            {
                break;
            }
            output.AppendLine(line);
            if (Listening().Match(line) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }
        throw new InvalidOperationException("The server did not report its address:\n" + output + await process.StandardError.ReadToEndAsync(CancellationToken.None));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
