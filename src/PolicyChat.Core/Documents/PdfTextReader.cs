using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace PolicyChat.Core.Documents;

/// <summary>
/// PDF to text through poppler's pdftotext, run as a child process (no shell) with a timeout; cancellation and the
/// timeout kill the whole process tree.
/// </summary>
internal static class PdfTextReader
{
    public const string ToolMissingReason = "skipped: pdftotext not found (install poppler-utils to read PDF files)";

    internal sealed record PdfResult(string? Text, ReadStatus Status, ReadProblem? Problem, string? Reason);

    public static async Task<PdfResult> ReadAsync(string pdfPath, DocumentLoaderOptions options, CancellationToken cancellationToken)
    {
        var executable = ResolveExecutable(options.PdfToTextPath);
        if (executable is null)
        {
            return new PdfResult(null, ReadStatus.Skipped, ReadProblem.ToolMissing, ToolMissingReason);
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
        foreach (var argument in new[] { "-enc", "UTF-8", "-nopgbrk", pdfPath, "-" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            if (!process.Start())
            {
                return new PdfResult(null, ReadStatus.Skipped, ReadProblem.ToolMissing, ToolMissingReason);
            }
        }
        catch (Win32Exception)
        {
            return new PdfResult(null, ReadStatus.Skipped, ReadProblem.ToolMissing, ToolMissingReason);
        }

        using var timeout = new CancellationTokenSource(options.PdfTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stdout = process.StandardOutput.ReadToEndAsync(linked.Token);
        var stderr = process.StandardError.ReadToEndAsync(linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
            var text = await stdout;
            _ = await stderr;
            if (process.ExitCode != 0)
            {
                return new PdfResult(null, ReadStatus.Failed, ReadProblem.Corrupt, $"corrupt or unreadable PDF (pdftotext exit code {process.ExitCode})");
            }
            return new PdfResult(text, ReadStatus.Ok, null, null);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new PdfResult(null, ReadStatus.Failed, ReadProblem.Error, $"pdftotext timed out after {options.PdfTimeout.TotalSeconds:0.#} seconds");
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
