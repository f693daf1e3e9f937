using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Ingestion;

public sealed class FileWalkerTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDirectory();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }

    private string Write(string relative, string text = "policy text")
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string? ReasonFor(WalkedFiles walked, string path) => walked.Skipped.SingleOrDefault(s => s.Path == path)?.Reason;

    [Fact]
    public void Walk_TwoLinksToDot_VisitsEachFileOnceAndReportsTheLinks()
    {
        var a = Write("a.txt");
        var b = Write("sub/b.md");
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), ".");
        File.CreateSymbolicLink(Path.Combine(_root, "sub", "up"), "..");

        var walked = FileWalker.Walk([_root]);

        Assert.Equal([a, b], walked.Files);
        Assert.Equal(FileWalker.LinkInsideReason, ReasonFor(walked, Path.Combine(_root, "loop1")));
        Assert.Equal(FileWalker.LinkInsideReason, ReasonFor(walked, Path.Combine(_root, "sub", "up")));
    }

    [Fact]
    public void Walk_FollowLinksWithLoops_TerminatesAndReadsEachRealFileOnce()
    {
        var a = Write("a.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), ".");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), ".");
        File.CreateSymbolicLink(Path.Combine(_root, "alias.txt"), a);

        var walked = FileWalker.Walk([_root], followLinks: true);

        Assert.Equal([a], walked.Files);
        Assert.Empty(walked.Skipped);
    }

    [Fact]
    public void Walk_LinkOutOfTheFolder_SkippedUnlessFollowLinks()
    {
        var outside = Path.Combine(TestPaths.NewTempDirectory(), "outside.txt");
        File.WriteAllText(outside, "secret");
        var link = Path.Combine(_root, "passwd.txt");
        File.CreateSymbolicLink(link, outside);

        var walked = FileWalker.Walk([_root]);
        var followed = FileWalker.Walk([_root], followLinks: true);

        Assert.Empty(walked.Files);
        Assert.Equal(FileWalker.LinkOutsideReason, ReasonFor(walked, link));
        Assert.Equal([link], followed.Files);
    }

    [Fact]
    public void Walk_FifoAndDevZeroLink_NeverOpenedAndReportedAsNotRegular()
    {
        var fifo = Path.Combine(_root, "pipe.txt");
        HostileInputs.MakeFifo(fifo);
        var zero = Path.Combine(_root, "zero.txt");
        File.CreateSymbolicLink(zero, "/dev/zero");

        var walked = FileWalker.Walk([_root]);
        var followed = FileWalker.Walk([_root], followLinks: true);
        var named = FileWalker.Walk([fifo, zero]);

        Assert.Empty(walked.Files);
        Assert.Equal("skipped: not a regular file (FIFO (named pipe))", ReasonFor(walked, fifo));
        Assert.Equal(FileWalker.LinkOutsideReason, ReasonFor(walked, zero));
        Assert.Empty(followed.Files);
        Assert.Equal("skipped: not a regular file (character device)", ReasonFor(followed, zero));
        Assert.Empty(named.Files);
        Assert.Equal(2, named.Skipped.Count);
    }

    [Fact]
    public void Walk_BrokenLinkAndUnsupportedLink_BrokenReportedUnsupportedIgnored()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "gone.txt"), Path.Combine(_root, "missing.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "image.png"), "/etc/passwd");

        var walked = FileWalker.Walk([_root]);

        Assert.Empty(walked.Files);
        Assert.Equal(FileWalker.BrokenLinkReason, Assert.Single(walked.Skipped).Reason);
    }

    [Fact]
    public void Walk_NameWithNul_RefusedNotTruncated()
    {
        var walked = FileWalker.Walk([Path.Combine(_root, "a.txt\0.pdf")]);

        Assert.Empty(walked.Files);
        var refused = Assert.Single(walked.Skipped);
        Assert.Equal(IngestionStatus.Failed, refused.Status);
        Assert.Equal(FileWalker.NulReason, refused.Reason);
        Assert.DoesNotContain('\0', refused.Path);
    }

    [Fact]
    public async Task ReadFileAsync_Fifo_SkippedWithoutBlocking()
    {
        var fifo = Path.Combine(_root, "pipe.txt");
        HostileInputs.MakeFifo(fifo);
        var loader = new DocumentLoader(new DocumentLoaderOptions());

        var outcome = await loader.ReadFileAsync(fifo).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.StartsWith("skipped: not a regular file", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_ProcFileReportingSizeZero_LimitEnforcedOnBytesRead()
    {
        // /proc files report a length of 0 whatever they hold: the limit must count the bytes actually read.
        var loader = new DocumentLoader(new DocumentLoaderOptions { MaxFileBytes = 16 });
        var link = Path.Combine(_root, "maps.txt");
        File.CreateSymbolicLink(link, "/proc/self/maps");
        Assert.Equal(0, new FileInfo("/proc/self/maps").Length);

        var outcome = await loader.ReadFileAsync(link);

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(ReadProblem.TooLarge, outcome.Problem);
    }

    [Theory]
    [InlineData("plain name.txt", "plain name.txt")]
    [InlineData("line\nbreak.txt", @"line\nbreak.txt")]
    [InlineData("tab\there.txt", @"tab\there.txt")]
    [InlineData("evil\u202Etxt.exe", @"evil\u202Etxt.exe")]
    [InlineData("a\u2066b\u2069\r.txt", @"a\u2066b\u2069\r.txt")]
    [InlineData("esc\u001B[31m.txt", @"esc\u001B[31m.txt")]
    [InlineData(@"back\slash.txt", @"back\slash.txt")]
    [InlineData("back\\slash\n.txt", @"back\\slash\n.txt")]
    [InlineData("تقرير السياسات.pdf", "تقرير السياسات.pdf")]
    public void Escape_ControlAndBidiCharacters_WrittenAsEscapes(string name, string expected) =>
        Assert.Equal(expected, DisplayNames.Escape(name));
}
