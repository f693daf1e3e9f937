namespace PolicyChat.Core.Tests;

/// <summary>Locates the repository (the folder holding PolicyChat.sln) and the shared folder beside it.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("PolicyChat.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => s_repoRoot.Value;

    public static string Corpus => Path.Combine(RepoRoot, "corpus");

    public static string Prompts => Path.Combine(RepoRoot, "prompts");

    /// <summary>../shared beside the repository (CI clones the repo with shared/ beside it).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>A fresh temporary directory, deleted by the caller or left for the OS.</summary>
    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "policychat-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
