using System.Text.Json.Nodes;
using PolicyChat.Core.Conversations;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Tests.Cli;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>One default data directory for the CLI and the server, moved by POLICYCHAT_DATA.</summary>
public sealed class DataDirectoryTests
{
    [Fact]
    public void Resolve_VariableSet_IsThatFolderMadeAbsolute()
    {
        Assert.Equal(Path.GetFullPath("some/where"), DataDirectory.Resolve("some/where"));
        Assert.Equal("/srv/policychat", DataDirectory.Resolve("/srv/policychat"));
    }

    [Fact]
    public void Resolve_VariableUnset_IsTheUsersLocalDataFolderWhateverTheWorkingDirectory()
    {
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        Assert.False(string.IsNullOrEmpty(local), "this machine has a home folder");
        Assert.Equal(Path.Combine(local, "policychat"), DataDirectory.Resolve(null));
        Assert.Equal(Path.Combine(local, "policychat"), DataDirectory.Resolve("  "));
        Assert.True(Path.IsPathRooted(DataDirectory.Resolve(null)));
    }

    [Fact]
    public void Defaults_IndexAndConversations_LieInTheDataDirectory()
    {
        Assert.Equal(Path.Combine(DataDirectory.Default, "policychat.db"), new SqliteIndexOptions().Path);
        Assert.Equal(Path.Combine(DataDirectory.Default, "conversations.db"), new ConversationOptions().Path);
    }

    [Fact]
    public void ServerSettings_DoNotOverrideTheSharedDefault()
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", "PolicyChat.Server", "appsettings.json")))!;
        Assert.Null(settings["Storage"]?["Sqlite"]?["Path"]);
        Assert.Null(settings["Conversations"]?["Path"]);
    }

    [Fact]
    public async Task Cli_WithoutDb_IngestsIntoPolicyChatData()
    {
        var root = TestPaths.NewTempDirectory();
        try
        {
            var docs = Directory.CreateDirectory(Path.Combine(root, "docs")).FullName;
            await File.WriteAllTextAsync(Path.Combine(docs, "a.txt"), "Data protection rules for cloud providers in Shanghai.\n");
            var data = Path.Combine(root, "elsewhere");
            var info = PolicyChatCli.StartInfo(root, "ingest", docs, "--json");
            info.Environment["POLICYCHAT_DATA"] = data;
            using var process = System.Diagnostics.Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stderr);
            Assert.Equal(1, (int)JsonNode.Parse(await stdout)!["added"]!);
            Assert.True(File.Exists(Path.Combine(data, "policychat.db")), "the index is written in POLICYCHAT_DATA");
            Assert.False(Directory.Exists(Path.Combine(root, "data")), "nothing is written in the working directory");
        }
        finally
        {
            SqliteIndexStore.ClearPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
