using System.Text;
using PolicyChat.Core.Documents;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Documents;

public sealed class HostileDocumentTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadFileAsync_DocxBomb_SkippedAsExpandingBeyondTheLimit(bool tinyParagraphs)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "bomb.docx");
        var compressed = HostileInputs.WriteDocxBomb(path, 200L << 20, tinyParagraphs);
        var loader = new DocumentLoader(new DocumentLoaderOptions { MaxExtractedChars = 500_000 });

        var outcome = await loader.ReadFileAsync(path);

        Assert.True(compressed < 2 << 20, $"the bomb is {compressed} bytes compressed");
        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(ReadProblem.TooLarge, outcome.Problem);
        Assert.Equal("skipped: expands beyond the limit of 500,000 characters (Ingestion:MaxExtractedChars)", outcome.Reason);
    }

    [Fact]
    public async Task ReadFileAsync_DocxUnderTheLimit_StillRead()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "small.docx");
        HostileInputs.WriteDocxBomb(path, 1_000_000);
        var loader = new DocumentLoader(new DocumentLoaderOptions { MaxExtractedChars = 2_000_000 });

        var outcome = await loader.ReadFileAsync(path);

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.StartsWith("policy data سياسة البيانات policy data", outcome.Document!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_TextLongerThanTheLimit_Skipped()
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { MaxExtractedChars = 100 });

        var outcome = await loader.ReadBytesAsync("long.txt", Encoding.UTF8.GetBytes(new string('a', 101)));

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.StartsWith("skipped: expands beyond the limit", outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Data protection policy 2025.\nSecond line.", false)]
    [InlineData("سياسة حماية البيانات الشخصية لعام ٢٠٢٥.\nالسطر الثاني.", false)]
    [InlineData("سياسة حماية البيانات mixed with English.", true)]
    [InlineData("数据安全法 (Data Security Law) 第一章", false)]
    public async Task ReadBytesAsync_Utf16WithoutBom_DecodedNotCalledBinary(string text, bool bigEndian)
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions());

        var outcome = await loader.ReadBytesAsync("utf16.txt", HostileInputs.Utf16WithoutBom(text, bigEndian));

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        Assert.Equal(text, outcome.Document!.Text);
    }

    [Fact]
    public async Task ReadBytesAsync_BinaryWithNulBytes_StillBinary()
    {
        var random = new Random(7);
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        bytes[10] = 0;
        var loader = new DocumentLoader(new DocumentLoaderOptions());

        var outcome = await loader.ReadBytesAsync("data.txt", bytes);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal(ReadProblem.Binary, outcome.Problem);
    }
}
