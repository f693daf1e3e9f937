using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Runs an external tool (pdftotext, pdftoppm, tesseract) as a child process without a shell, with a timeout, reading
/// at most <c>maxOutputChars</c> of its standard output: past that the tool is killed. Cancellation and the timeout
/// kill the whole process tree.
/// </summary>
internal static class ToolProcess
{
    internal enum Outcome { Ok, Missing, TimedOut, TooMuchOutput, Failed }

    internal sealed record Result(Outcome Outcome, string Output, int ExitCode);

    public static async Task<Result> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan timeout, long maxOutputChars,
        CancellationToken cancellationToken)
    {
        var executable = ResolveExecutable(tool);
        if (executable is null)
        {
            return new Result(Outcome.Missing, "", -1);
        }
        var startInfo = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            CreateNoWindow = true,
            StandardOutputEncoding = new UTF8Encoding(false, false),
            StandardErrorEncoding = new UTF8Encoding(false, false),
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        // One thread per tool: the pipeline already runs documents in parallel.
        startInfo.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            if (!process.Start())
            {
                return new Result(Outcome.Missing, "", -1);
            }
        }
        catch (Win32Exception)
        {
            return new Result(Outcome.Missing, "", -1);
        }

        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var stderr = DrainAsync(process.StandardError, linked.Token);
        try
        {
            var output = new StringBuilder();
            var buffer = new char[8192];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer.AsMemory(), linked.Token)) > 0)
            {
                if (output.Length + read > maxOutputChars)
                {
                    Kill(process);
                    return new Result(Outcome.TooMuchOutput, "", -1);
                }
                output.Append(buffer, 0, read);
            }
            await process.WaitForExitAsync(linked.Token);
            await stderr;
            return new Result(process.ExitCode == 0 ? Outcome.Ok : Outcome.Failed, output.ToString(), process.ExitCode);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new Result(Outcome.TimedOut, "", -1);
        }
    }

    /// <summary>Reads and discards a stream (so a chatty tool never blocks on a full pipe).</summary>
    private static async Task DrainAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var buffer = new char[4096];
        try
        {
            while (await reader.ReadAsync(buffer.AsMemory(), cancellationToken) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            // The caller reports the timeout.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Could not be killed (already gone); nothing more to do.
        }
    }

    /// <summary>A bare name is looked up on PATH; a path must exist. Null when the tool cannot be found.</summary>
    internal static string? ResolveExecutable(string tool)
    {
        if (string.IsNullOrWhiteSpace(tool))
        {
            return null;
        }
        if (tool.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || tool.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(tool) ? tool : null;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var extensions = OperatingSystem.IsWindows() ? new[] { string.Empty, ".exe", ".cmd", ".bat" } : new[] { string.Empty };
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, tool + extension);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
