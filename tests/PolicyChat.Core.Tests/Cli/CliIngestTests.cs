using System.Text.Json.Nodes;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Cli;

/// <summary>`policychat ingest` run as a child process over folders of the test's.</summary>
public sealed class CliIngestTests : IDisposable
{
    private static readonly string[] s_summaryKeys = ["added", "updated", "unchanged", "skipped", "failed", "removed", "chunks", "elapsed_ms", "results"];
    private static readonly string[] s_resultKeys = ["path", "document_id", "status", "chunks", "reason", "elapsed_ms", "title"];

    private readonly string _root = TestPaths.NewTempDirectory();

    private string Docs => Path.Combine(_root, "docs");

    private string Db => Path.Combine(_root, "index.db");

    public CliIngestTests() => Directory.CreateDirectory(Docs);

    public void Dispose()
    {
        SqliteIndexStore.ClearPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }

    [Fact]
    public async Task Ingest_RunTwiceThenChangeThenPrune_ReportsAddedUnchangedUpdatedRemoved()
    {
        foreach (var file in Directory.EnumerateFiles(TestPaths.Corpus))
        {
            File.Copy(file, Path.Combine(Docs, Path.GetFileName(file)));
        }

        var first = await Ingest("--json");
        var second = await Ingest("--json");
        var changed = Path.Combine(Docs, "003_49fd475c3f1fefe0.txt");
        await File.AppendAllTextAsync(changed, "\nAn added closing paragraph about open science platforms in Shanghai.\n");
        var third = await Ingest("--json");
        var removed = Path.Combine(Docs, "001_45e57ca31d42d5cc.txt");
        File.Delete(removed);
        var withoutPrune = await Ingest("--json");
        var pruned = await Ingest("--json", "--prune");

        Assert.True(first.ExitCode == 0, first.ToString());
        AssertShape(first.Json);
        Assert.Equal(5, Count(first, "added"));
        Assert.Equal(0, Count(first, "failed"));
        Assert.True(Count(first, "chunks") >= 5);
        Assert.All(Results(first), r =>
        {
            Assert.Equal("added", (string?)r["status"]);
            Assert.True((int)r["chunks"]! > 0);
            Assert.Matches("^[0-9a-f]{16}$", (string?)r["document_id"]);
        });

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(5, Count(second, "unchanged"));
        Assert.Equal(0, Count(second, "added") + Count(second, "updated") + Count(second, "chunks"));

        Assert.True(third.ExitCode == 0, third.ToString());
        var updated = Assert.Single(Results(third), r => (string?)r["status"] == "updated");
        Assert.Equal(changed, (string?)updated["path"]);
        Assert.Equal(IdOf(first, changed), (string?)updated["document_id"]);
        Assert.Equal(4, Count(third, "unchanged"));

        Assert.Equal(0, Count(withoutPrune, "removed"));
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        var gone = Assert.Single(Results(pruned), r => (string?)r["status"] == "removed");
        Assert.Equal(removed, (string?)gone["path"]);
        Assert.Equal(IdOf(first, removed), (string?)gone["document_id"]);
        Assert.Equal(4, Count(pruned, "unchanged"));

        var search = await PolicyChatCli.RunAsync(_root, "search", "بوتين الشراكة التكنولوجية مع الصين", "--db", Db, "--json", "-k", "10");
        Assert.DoesNotContain(search.Json["hits"]!.AsArray(), h => (string?)h!["document_id"] == IdOf(first, removed));
    }

    [Fact]
    public async Task Ingest_InvalidUtf8AndEmptyFiles_ReportsThemContinuesAndFailsTheExitCode()
    {
        File.Copy(Path.Combine(TestPaths.Corpus, "000_8ed96be78e0ce9ee.txt"), Path.Combine(Docs, "a-good.txt"));
        await File.WriteAllBytesAsync(Path.Combine(Docs, "b-invalid.txt"), [0x48, 0x69, 0x20, 0xC3, 0x28, 0xFF, 0xFE, 0x41, 0x0A]);
        await File.WriteAllBytesAsync(Path.Combine(Docs, "c-empty.txt"), []);
        File.Copy(Path.Combine(TestPaths.Corpus, "003_49fd475c3f1fefe0.txt"), Path.Combine(Docs, "d-good.txt"));

        var json = await Ingest("--json");
        var text = await Ingest();

        Assert.True(json.ExitCode == 1, json.ToString());
        Assert.Equal(2, Count(json, "added"));
        Assert.Equal(1, Count(json, "failed"));
        Assert.Equal(1, Count(json, "skipped"));
        var invalid = Assert.Single(Results(json), r => ((string?)r["path"])!.EndsWith("b-invalid.txt", StringComparison.Ordinal));
        Assert.Equal("failed", (string?)invalid["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)invalid["reason"]));
        Assert.Null(invalid["document_id"]);
        var empty = Assert.Single(Results(json), r => ((string?)r["path"])!.EndsWith("c-empty.txt", StringComparison.Ordinal));
        Assert.Equal("skipped", (string?)empty["status"]);
        Assert.Contains("empty", (string?)empty["reason"], StringComparison.OrdinalIgnoreCase);

        // The text report names every file, and a failure keeps failing the run while the good files stay unchanged.
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains("b-invalid.txt", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("c-empty.txt", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("added 0, updated 0, unchanged 2, skipped 1, failed 1", text.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_OnlySkippedBadFile_ExitsZero()
    {
        File.Copy(Path.Combine(TestPaths.Corpus, "004_06b77de373cc61be.txt"), Path.Combine(Docs, "good.txt"));
        await File.WriteAllBytesAsync(Path.Combine(Docs, "empty.txt"), []);

        var result = await Ingest("--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, Count(result, "added"));
        Assert.Equal(1, Count(result, "skipped"));
        Assert.Equal(0, Count(result, "failed"));
    }

    private Task<CliResult> Ingest(params string[] options) => PolicyChatCli.RunAsync(_root, ["ingest", Docs, "--db", Db, .. options]);

    private static int Count(CliResult result, string key) => (int)result.Json[key]!;

    private static List<JsonNode> Results(CliResult result) => [.. result.Json["results"]!.AsArray().Select(r => r!)];

    private static string IdOf(CliResult result, string path) =>
        (string)Results(result).Single(r => (string?)r["path"] == path)["document_id"]!;

    private static void AssertShape(JsonNode json)
    {
        Assert.Equal(s_summaryKeys, json.AsObject().Select(p => p.Key));
        Assert.All(json["results"]!.AsArray(), r => Assert.Equal(s_resultKeys, r!.AsObject().Select(p => p.Key)));
    }
}
