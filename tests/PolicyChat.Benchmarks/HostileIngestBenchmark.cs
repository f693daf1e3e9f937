using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using PolicyChat.Testing;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Every hostile input of issue 15 (two .docx zip bombs that expand to [bombMiB] MiB, links to "." twice, links to
/// /etc/passwd and /dev/zero, a FIFO, UTF-16 without BOM, names with newline/tab/bidi controls), ingested by the
/// CLI under /usr/bin/time -v and uploaded to the server, whose resident set is sampled every 50 ms.
/// Args: [bombMiB=2048]. Needs the Release CLI and server built
/// (dotnet build -c Release src/PolicyChat.Cli; dotnet build -c Release src/PolicyChat.Server).
/// Targets: every input reported within 10 s; peak memory under 300 MB above the idle process.
/// </summary>
internal sealed class HostileIngestBenchmark : IBenchmark
{
    public string Name => "hostile-ingest";

    public string Description => "hostile folder: per-file seconds and peak MB above idle, CLI and server (targets < 10 s, < 300 MB)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var bombMiB = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 2048;
        var root = Path.Combine(Path.GetTempPath(), "policychat-bench-hostile-" + Guid.NewGuid().ToString("N"));
        var idle = Path.Combine(root, "idle");
        var hostile = Path.Combine(root, "hostile");
        Directory.CreateDirectory(idle);
        await File.WriteAllTextAsync(Path.Combine(idle, "good.txt"), "سياسة حماية البيانات الشخصية.\n", cancellationToken);
        var clock = Stopwatch.StartNew();
        HostileInputs.WriteFolder(hostile, bombMiB << 20);
        Console.WriteLine($"built {hostile} in {clock.Elapsed.TotalSeconds:0.0} s; bombs: " + string.Join(", ",
            Directory.GetFiles(hostile, "bomb-*.docx").Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length / 1024.0:0} KB → {bombMiB} MiB")));
        try
        {
            var ok = await CliAsync(root, idle, hostile, cancellationToken);
            ok &= await ServerAsync(root, hostile, cancellationToken);
            Console.WriteLine(ok ? "targets met" : "TARGETS NOT MET");
            return ok ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<bool> CliAsync(string root, string idle, string hostile, CancellationToken cancellationToken)
    {
        var cli = Built("PolicyChat.Cli", "policychat.dll");
        var (idleKb, _, _) = await TimedAsync(root, cli, ["ingest", idle, "--db", Path.Combine(root, "idle.db"), "--json"], cancellationToken);
        var (peakKb, wall, json) = await TimedAsync(root, cli, ["ingest", hostile, "--db", Path.Combine(root, "hostile.db"), "--json"], cancellationToken);
        var results = JsonDocument.Parse(json).RootElement.GetProperty("results").EnumerateArray().ToList();
        Console.WriteLine("CLI: policychat ingest (per-file results)");
        foreach (var r in results)
        {
            Console.WriteLine($"  {r.GetProperty("elapsed_ms").GetDouble() / 1000,7:0.000} s  {r.GetProperty("status").GetString(),-8} " +
                $"{PolicyChat.Core.Ingestion.DisplayNames.Escape(Path.GetFileName(r.GetProperty("path").GetString()!))}: {r.GetProperty("reason").GetString()}");
        }
        var slowest = results.Max(r => r.GetProperty("elapsed_ms").GetDouble()) / 1000;
        var above = (peakKb - idleKb) / 1024.0;
        Console.WriteLine($"CLI: {results.Count} results, slowest {slowest:0.00} s, whole run {wall:0.00} s; max RSS {peakKb / 1024.0:0} MB vs idle run {idleKb / 1024.0:0} MB → {above:0} MB above idle");
        return slowest < 10 && wall < 60 && above < 300 && results.Count == 13;
    }

    private static async Task<bool> ServerAsync(string root, string hostile, CancellationToken cancellationToken)
    {
        var port = 20000 + Random.Shared.Next(20000);
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        info.ArgumentList.Add(Built("PolicyChat.Server", "PolicyChat.Server.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["Storage__Sqlite__Path"] = Path.Combine(root, "server.db");
        info.Environment["Conversations__Path"] = Path.Combine(root, "conversations.db");
        info.Environment["Server__SeedOnStart"] = "false";
        info.Environment["Llm__Endpoint"] = "";
        info.Environment["Llm__Model"] = "";
        info.Environment["Embedding__Model"] = "";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        using var server = Process.Start(info) ?? throw new InvalidOperationException("the server did not start");
        _ = server.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = server.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            for (var i = 0; i < 100 && !await ReadyAsync(http, cancellationToken); i++)
            {
                await Task.Delay(300, cancellationToken);
            }
            // Warm up with one small upload, then take the idle size.
            await UploadAsync(http, "warm.txt", "سياسة حماية البيانات."u8.ToArray(), cancellationToken);
            await Task.Delay(1000, cancellationToken);
            var idleKb = ResidentKb(server.Id);
            long peakKb = idleKb;
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakKb = Math.Max(peakKb, ResidentKb(server.Id));
                    await Task.Delay(50, CancellationToken.None);
                }
            }, CancellationToken.None);
            Console.WriteLine("server: POST /api/documents");
            var slowest = 0.0;
            var uploads = new List<string> { "bomb-text.docx", "bomb-paragraphs.docx", "utf16-nobom.txt" };
            uploads.AddRange(HostileInputs.TrickyNames);
            foreach (var name in uploads)
            {
                var clock = Stopwatch.StartNew();
                var body = await UploadAsync(http, name, await File.ReadAllBytesAsync(Path.Combine(hostile, name), cancellationToken), cancellationToken);
                slowest = Math.Max(slowest, clock.Elapsed.TotalSeconds);
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds,7:0.000} s  {body}");
            }
            var nul = await UploadAsync(http, "nul\0name.txt", "x"u8.ToArray(), cancellationToken);
            Console.WriteLine($"  NUL name: {nul}");
            await sampling.CancelAsync();
            await sampler;
            var settledKb = ResidentKb(server.Id);
            var above = (peakKb - idleKb) / 1024.0;
            Console.WriteLine($"server: slowest upload {slowest:0.00} s; RSS idle {idleKb / 1024.0:0} MB, peak {peakKb / 1024.0:0} MB ({above:0} MB above idle), after {settledKb / 1024.0:0} MB");
            return slowest < 10 && above < 300;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("/healthz", cancellationToken);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<string> UploadAsync(HttpClient http, string name, byte[] bytes, CancellationToken cancellationToken)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        // RFC 5987 filename*: newlines, bidi controls and NUL reach the server as a client can send them.
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"files\"; filename=\"upload.txt\"; filename*=UTF-8''{Uri.EscapeDataString(name)}");
        content.Add(file);
        using var response = await http.PostAsync("/api/documents", content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return $"{(int)response.StatusCode} {body}";
    }

    private static long ResidentKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Runs the CLI under /usr/bin/time -v: its maximum resident set (KB), wall seconds and standard output.</summary>
    private static async Task<(long MaxRssKb, double WallSeconds, string StdOut)> TimedAsync(string root, string dll, string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var a in new[] { "-v", "dotnet", dll }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["Llm__Endpoint"] = "";
        info.Environment["Llm__Model"] = "";
        info.Environment["Embedding__Model"] = "";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("/usr/bin/time did not start (apt-get install time)");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var wall = clock.Elapsed.TotalSeconds;
        var rss = stderr.Split('\n').First(l => l.Contains("Maximum resident set size", StringComparison.Ordinal));
        return (long.Parse(rss[(rss.LastIndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture), wall, await stdout);
    }

    private static string Built(string project, string dll)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")))
        {
            dir = dir.Parent;
        }
        var path = Path.Combine(dir!.FullName, "src", project, "bin", "Release", "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"build it first: dotnet build -c Release src/{project}", path);
    }
}
