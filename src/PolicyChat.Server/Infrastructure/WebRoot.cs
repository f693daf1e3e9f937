using Microsoft.Extensions.FileProviders;

namespace PolicyChat.Server.Infrastructure;

/// <summary>
/// Finds the chat page's files wherever the server is started from. The host looks for <c>wwwroot</c> under the
/// working directory, so `dotnet PolicyChat.Server.dll` run from another folder served no page. Order: the configured
/// web root when it holds <c>index.html</c>, then <c>wwwroot</c> beside the server's assembly (a published build),
/// then the project's <c>wwwroot</c> found above the assembly (a build in the repository).
/// </summary>
public static class WebRoot
{
    public const string PageFile = "index.html";

    /// <summary>The first folder holding the page, or null when none does.</summary>
    public static string? Locate(string? configured, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        foreach (var candidate in Candidates(configured, baseDirectory))
        {
            if (File.Exists(Path.Combine(candidate, PageFile)))
            {
                return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    /// <summary>Points the host's web root at the located folder when the configured one has no page.</summary>
    public static void Apply(IWebHostEnvironment environment, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.WebRootFileProvider.GetFileInfo(PageFile).Exists)
        {
            return;
        }
        var found = Locate(environment.WebRootPath, AppContext.BaseDirectory);
        if (found is null)
        {
            logger.LogWarning("The chat page ({Page}) was not found under {WebRoot} or beside the server; only the API is served.",
                PageFile, environment.WebRootPath ?? Path.Combine(environment.ContentRootPath, "wwwroot"));
            return;
        }
        environment.WebRootPath = found;
        environment.WebRootFileProvider = new PhysicalFileProvider(found);
    }

    private static IEnumerable<string> Candidates(string? configured, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            yield return configured;
        }
        yield return Path.Combine(baseDirectory, "wwwroot");
        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            yield return Path.Combine(dir.FullName, "wwwroot");
            yield return Path.Combine(dir.FullName, "src", "PolicyChat.Server", "wwwroot");
        }
    }
}
