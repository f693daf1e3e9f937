using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Tests.Cli;
using PolicyChat.Core.Text;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Ingestion;

/// <summary>A folder holding every hostile input, ingested in-process and by the CLI: every file gets one result, the run ends.</summary>
public sealed class HostileFolderTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDirectory();

    private string Docs => Path.Combine(_root, "docs");

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
    public async Task IngestAsync_HostileFolder_EveryInputReportedAndGoodFilesStored()
    {
        HostileInputs.WriteFolder(Docs, bombBytes: 64L << 20);
        await using var store = new SqliteIndexStore(new SqliteIndexOptions { Path = Path.Combine(_root, "index.db") });
        var pipeline = new IngestionPipeline(store, new DocumentLoader(new DocumentLoaderOptions { MaxExtractedChars = 1_000_000 }),
            new DocumentIndexer(TextAnalyzer.Default, new Chunker(new ChunkingOptions())), new IngestionOptions());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var summary = await pipeline.IngestAsync([Docs], cancellationToken: timeout.Token);

        string? Reason(string name) => summary.Results.Single(r => r.Path == Path.Combine(Docs, name)).Reason;
        Assert.StartsWith("skipped: expands beyond the limit", Reason("bomb-text.docx"), StringComparison.Ordinal);
        Assert.StartsWith("skipped: expands beyond the limit", Reason("bomb-paragraphs.docx"), StringComparison.Ordinal);
        Assert.Equal(FileWalker.LinkInsideReason, Reason("loop1"));
        Assert.Equal(FileWalker.LinkInsideReason, Reason("loop2"));
        Assert.Equal(FileWalker.LinkOutsideReason, Reason("passwd.txt"));
        Assert.Equal(FileWalker.LinkOutsideReason, Reason("zero.txt"));
        Assert.StartsWith("skipped: not a regular file (FIFO", Reason("pipe.txt"), StringComparison.Ordinal);
        var added = summary.Results.Where(r => r.Status == IngestionStatus.Added).Select(r => Path.GetFileName(r.Path)).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "good.txt", "utf16-nobom.txt" }.Concat(HostileInputs.TrickyNames).Order(StringComparer.Ordinal), added);
        Assert.Equal(13, summary.Results.Count);
        var stored = await store.ListDocumentsAsync();
        Assert.DoesNotContain(stored, d => d.SourcePath.Contains("passwd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CliIngest_TrickyNames_PrintedEscapedOnePerLine()
    {
        HostileInputs.WriteFolder(Docs, bombBytes: 64L << 20);

        var result = await PolicyChatCli.RunAsync(_root, "ingest", Docs, "--db", Path.Combine(_root, "index.db"));

        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("added", StringComparison.Ordinal) && l.Contains(@"line\nbreak.txt", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(@"tab\there.txt", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(@"evil\u202Etxt.exe.txt", StringComparison.Ordinal));
        Assert.DoesNotContain('\u202E', result.StdOut);
        Assert.DoesNotContain('\u2066', result.StdOut);
        Assert.Contains(lines, l => l.StartsWith("skipped", StringComparison.Ordinal) && l.Contains("pipe.txt: skipped: not a regular file", StringComparison.Ordinal));
        // 13 result lines and the summary: no name added a line of its own.
        Assert.Equal(14, lines.Length);
        Assert.Contains("added 6, updated 0, unchanged 0, skipped 7, failed 0", lines[^1], StringComparison.Ordinal);
    }
}
