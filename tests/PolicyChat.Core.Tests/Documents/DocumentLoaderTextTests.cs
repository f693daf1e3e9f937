using System.Security.Cryptography;
using System.Text;
using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Tests.Documents;

public sealed class DocumentLoaderTextTests
{
    private const string Arabic = "الذكاء الاصطناعي\nسياسة البيانات";

    private static DocumentLoader NewLoader(long maxBytes = 20 * 1024 * 1024) => new(new DocumentLoaderOptions { MaxFileBytes = maxBytes });

    private static async Task<ReadOutcome> ReadAsync(string fileName, byte[] bytes, DocumentLoader? loader = null)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), fileName);
        await File.WriteAllBytesAsync(path, bytes);
        return await (loader ?? NewLoader()).ReadFileAsync(path);
    }

    [Fact]
    public async Task ReadFileAsync_Utf8WithoutBom_ReturnsText()
    {
        var outcome = await ReadAsync("a.txt", Encoding.UTF8.GetBytes(Arabic));

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal(Arabic, outcome.Document!.Text);
        Assert.Equal("text", outcome.Document.Format);
        Assert.Null(outcome.Problem);
    }

    [Fact]
    public async Task ReadFileAsync_Utf8WithBom_StripsBom()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Arabic)).ToArray();

        var outcome = await ReadAsync("a.txt", bytes);

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal(Arabic, outcome.Document!.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadFileAsync_Utf16WithBom_DecodesBothByteOrders(bool bigEndian)
    {
        var encoding = new UnicodeEncoding(bigEndian, byteOrderMark: true);
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(Arabic + " 中文 😀")).ToArray();

        var outcome = await ReadAsync("a.txt", bytes);

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal(Arabic + " 中文 😀", outcome.Document!.Text);
    }

    [Fact]
    public async Task ReadFileAsync_Utf16LoneSurrogate_FailsAsInvalidEncoding()
    {
        // BOM, 'a', then a lone high surrogate D800 followed by 'b'.
        var bytes = new byte[] { 0xFF, 0xFE, 0x61, 0x00, 0x00, 0xD8, 0x62, 0x00 };

        var outcome = await ReadAsync("a.txt", bytes);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal(ReadProblem.InvalidEncoding, outcome.Problem);
        Assert.Equal("invalid UTF-16 at byte 4", outcome.Reason);
    }

    [Fact]
    public async Task ReadFileAsync_InvalidUtf8_FailsWithByteOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("abc").Concat(new byte[] { 0xC3, 0x28 }).ToArray();

        var outcome = await ReadAsync("a.txt", bytes);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal("invalid UTF-8 at byte 3", outcome.Reason);
        Assert.Equal(ReadProblem.InvalidEncoding, outcome.Problem);
        Assert.Null(outcome.Document);
    }

    [Fact]
    public async Task ReadFileAsync_InvalidUtf8AfterBom_CountsBomInOffset()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF, 0x61, 0xFF };

        var outcome = await ReadAsync("a.md", bytes);

        Assert.Equal("invalid UTF-8 at byte 4", outcome.Reason);
    }

    [Fact]
    public async Task ReadFileAsync_Windows1256Arabic_FailsAsInvalidUtf8()
    {
        // "مرحبا" in Windows-1256: valid single bytes there, invalid as UTF-8.
        var bytes = new byte[] { 0xE3, 0xD1, 0xCD, 0xC8, 0xC7 };

        var outcome = await ReadAsync("a.html", bytes);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.StartsWith("invalid UTF-8 at byte 0", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_NulBytes_FailsAsBinary()
    {
        var bytes = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D };

        var outcome = await ReadAsync("image.txt", bytes);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal("binary file", outcome.Reason);
        Assert.Equal(ReadProblem.Binary, outcome.Problem);
    }

    [Fact]
    public async Task ReadFileAsync_ManyControlCharacters_FailsAsBinary()
    {
        var bytes = Enumerable.Range(0, 200).Select(i => (byte)(i % 2 == 0 ? 0x01 + (i % 7) : 0x41)).ToArray();

        var outcome = await ReadAsync("a.txt", bytes);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal("binary file", outcome.Reason);
    }

    [Fact]
    public async Task ReadFileAsync_FewControlCharacters_RemovesThemAndNormalizesLineEnds()
    {
        var body = string.Concat(Enumerable.Repeat("policy text ", 40));
        var text = "line one\r\nline\u0007 two\rline\tthree\u001B\u007F\fpage two\n" + body;

        var outcome = await ReadAsync("a.txt", Encoding.UTF8.GetBytes(text));

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal("line one\nline two\nline\tthree\npage two\n" + body, outcome.Document!.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\t \r\n ")]
    public async Task ReadFileAsync_EmptyOrWhitespace_SkipsAsEmpty(string content)
    {
        var outcome = await ReadAsync("a.txt", Encoding.UTF8.GetBytes(content));

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal("empty file", outcome.Reason);
        Assert.Equal(ReadProblem.Empty, outcome.Problem);
    }

    [Fact]
    public async Task ReadFileAsync_LargerThanLimit_SkipsWithLimitInReason()
    {
        var loader = NewLoader(maxBytes: 1024 * 1024);
        var bytes = Encoding.UTF8.GetBytes(new string('a', (1024 * 1024) + 1));

        var outcome = await ReadAsync("big.txt", bytes, loader);

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal("file is larger than the 1 MB limit", outcome.Reason);
        Assert.Equal(ReadProblem.TooLarge, outcome.Problem);
    }

    [Fact]
    public async Task ReadFileAsync_LargerThanLimit_DoesNotDecodeContent()
    {
        // Invalid UTF-8 beyond the limit: the size check must come first, so the reason is the size.
        var bytes = Enumerable.Repeat((byte)0xFF, 5000).ToArray();

        var outcome = await ReadAsync("big.txt", bytes, NewLoader(maxBytes: 4096));

        Assert.Equal(ReadProblem.TooLarge, outcome.Problem);
        Assert.StartsWith("file is larger than the", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_LargerThanLimit_Skips()
    {
        var outcome = await NewLoader(maxBytes: 10).ReadBytesAsync("a.txt", new byte[11]);

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(ReadProblem.TooLarge, outcome.Problem);
    }

    [Theory]
    [InlineData("notes.xyz", "unsupported file type .xyz")]
    [InlineData("SHEET.XLSX", "unsupported file type .xlsx")]
    [InlineData("README", "unsupported file type (no extension)")]
    public async Task ReadBytesAsync_UnsupportedExtension_Skips(string fileName, string reason)
    {
        var outcome = await NewLoader().ReadBytesAsync(fileName, Encoding.UTF8.GetBytes("text"));

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(ReadProblem.UnsupportedType, outcome.Problem);
    }

    [Fact]
    public async Task ReadFileAsync_Ok_ContentHashIsSha256OfRawBytes()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("a\r\nb")).ToArray();

        var outcome = await ReadAsync("a.txt", bytes);

        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), outcome.ContentHash);
        Assert.Equal("a\nb", outcome.Document!.Text);
    }

    [Fact]
    public async Task ReadBytesAsync_SameContentAsFile_SameHashAndText()
    {
        var bytes = Encoding.UTF8.GetBytes(Arabic);

        var fromFile = await ReadAsync("a.txt", bytes);
        var fromBytes = await NewLoader().ReadBytesAsync("upload.txt", bytes);

        Assert.Equal(fromFile.ContentHash, fromBytes.ContentHash);
        Assert.Equal(fromFile.Document!.Text, fromBytes.Document!.Text);
        Assert.Equal("upload.txt", fromBytes.Path);
    }

    [Fact]
    public async Task ReadFileAsync_MissingFile_FailsWithoutThrowing()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "missing.txt");

        var outcome = await NewLoader().ReadFileAsync(path);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal("file not found", outcome.Reason);
    }

    [Fact]
    public async Task ReadFileAsync_CancelledToken_Throws()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "a.txt");
        await File.WriteAllTextAsync(path, "text");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewLoader().ReadFileAsync(path, cts.Token));
    }

    [Fact]
    public async Task ReadBytesAsync_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NewLoader().ReadBytesAsync("a.md", Encoding.UTF8.GetBytes("# x"), cts.Token));
    }
}
