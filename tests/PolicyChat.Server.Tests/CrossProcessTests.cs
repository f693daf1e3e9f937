using System.Diagnostics;
using System.Net;
using System.Text;

namespace PolicyChat.Server.Tests;

/// <summary>A server of its own whose index files another process (the CLI) writes to.</summary>
public sealed class CrossProcessServerFixture : ServerFixture;

/// <summary>
/// One truth between processes: `policychat ingest` into the files of a running server is searchable through the
/// server within a second, and a replaced document's old text never comes back as the new, unrelated passage.
/// </summary>
public sealed class CrossProcessTests(CrossProcessServerFixture server) : IClassFixture<CrossProcessServerFixture>
{
    [Fact]
    public async Task CliIngest_IntoARunningServersFiles_IsSearchableThroughTheServerWithinOneSecond()
    {
        using var client = server.CreateClient();
        Assert.NotEmpty(await HitsAsync(client, "DeepSeek")); // the server's index is loaded
        var docs = Directory.CreateDirectory(Path.Combine(server.Directory, "cli-docs")).FullName;
        var file = Path.Combine(docs, "notes-a.txt"); // a neutral name: titles are indexed with every chunk
        await File.WriteAllTextAsync(file, "The Zephyrquark directive regulates satellite spectrum auctions.\n");

        await IngestAsync(docs);
        var clock = Stopwatch.StartNew();
        var hits = await HitsAsync(client, "Zephyrquark");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the first search after the ingest took {clock.Elapsed}");
        Assert.NotEmpty(hits);
        Assert.Contains("Zephyrquark", hits[0]);

        await File.WriteAllTextAsync(file, "Wholly unrelated: fishery quotas for the Red Sea coast.\n");
        await IngestAsync(docs);
        var old = await HitsAsync(client, "Zephyrquark");
        Assert.DoesNotContain(old, text => text.Contains("Zephyrquark", StringComparison.Ordinal)); // the old text is gone
        Assert.DoesNotContain(old, text => text.Contains("fishery", StringComparison.Ordinal)); // and never answered by the new passage
        var fresh = await HitsAsync(client, "fishery quotas");
        Assert.NotEmpty(fresh);
        Assert.Contains("fishery", fresh[0]);
    }

    /// <summary>The texts of the server's hits, best first.</summary>
    private static async Task<List<string>> HitsAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/search?q=" + Uri.EscapeDataString(query) + "&k=5");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response);
        return body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("text").GetString()!).ToList();
    }

    private async Task IngestAsync(string folder)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(ServerFixture.RepoRoot, "src", "PolicyChat.Cli", "bin", output.Parent!.Name, output.Name, "policychat.dll");
        Assert.True(File.Exists(dll), "the CLI is built beside the tests: " + dll);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = server.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "ingest", folder, "--db", Path.Combine(server.Directory, "index.db") })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["Llm__Endpoint"] = "";
        info.Environment["Llm__Model"] = "";
        info.Environment["Embedding__Model"] = "";
        info.Environment["POLICYCHAT_DATA"] = Path.Combine(server.Directory, "cli-data");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"policychat ingest failed:\n{await stdout}\n{await stderr}");
    }
}
