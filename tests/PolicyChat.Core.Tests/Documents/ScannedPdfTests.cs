using System.Text.Json.Nodes;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Storage.Sqlite;
using PolicyChat.Core.Tests.Cli;
using Xunit.Abstractions;

namespace PolicyChat.Core.Tests.Documents;

/// <summary>The PDFs and scans are made once for the class (Chromium and OCR are slow).</summary>
public sealed class PdfSamples : IAsyncLifetime
{
    public string Directory { get; } = TestPaths.NewTempDirectory();
    public string ArabicPdf { get; private set; } = "";
    public string ArabicScan { get; private set; } = "";
    public string EnglishScan { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ArabicPdf = await PdfFixtures.PrintAsync(Directory, "arabic", PdfFixtures.ArabicPages, arabic: true);
        ArabicScan = await PdfFixtures.ScanAsync(await PdfFixtures.PrintAsync(Directory, "arabic-sans", PdfFixtures.ArabicPages, arabic: true, PdfFixtures.DejaVuSans));
        EnglishScan = await PdfFixtures.ScanAsync(await PdfFixtures.PrintAsync(Directory, "english", PdfFixtures.EnglishPages, arabic: false, PdfFixtures.DejaVuSans));
    }

    public Task DisposeAsync()
    {
        SqliteIndexStore.ClearPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
        return Task.CompletedTask;
    }
}

public sealed class ScannedPdfTests(PdfSamples samples, ITestOutputHelper output) : IClassFixture<PdfSamples>
{
    [Fact]
    public async Task ReadFileAsync_ChromiumArabicPdf_LogicalTextWithoutControlsAndPageStarts()
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions());

        var outcome = await loader.ReadFileAsync(samples.ArabicPdf);

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        var document = outcome.Document!;
        Assert.DoesNotContain(document.Text, c => c is (>= '\u202A' and <= '\u202E') or '\u200E' or '\u200F');
        Assert.Contains("ويجب على كل جهة", document.Text, StringComparison.Ordinal);
        Assert.Equal(2, document.PageStarts!.Count);
        Assert.Equal(0, document.OcrPages);
        var second = document.Text[document.PageStarts[1]..];
        Assert.StartsWith("تخضع خدمات الحوسبة السحابية", second, StringComparison.Ordinal);
        Assert.Equal(2, document.PageAt(document.PageStarts[1] + 5));
        Assert.Equal(1, document.PageAt(3));
        var accuracy = PdfFixtures.CharacterAccuracy(string.Join(" ", PdfFixtures.ArabicPages), document.Text);
        output.WriteLine($"text layer character accuracy: {accuracy:0.0000}");
        Assert.True(accuracy >= 0.99, $"text layer accuracy {accuracy:0.0000}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadFileAsync_CleanScan_RecognizedPageByPageWithAccuracyAtLeast095(bool arabic)
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions());
        var pages = arabic ? PdfFixtures.ArabicPages : PdfFixtures.EnglishPages;

        var outcome = await loader.ReadFileAsync(arabic ? samples.ArabicScan : samples.EnglishScan);

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        var document = outcome.Document!;
        Assert.Equal(2, document.OcrPages);
        Assert.InRange(document.OcrConfidence!.Value, 50, 100);
        Assert.Equal(2, document.PageStarts!.Count);
        for (var page = 0; page < pages.Length; page++)
        {
            var end = page + 1 < document.PageStarts.Count ? document.PageStarts[page + 1] : document.Text.Length;
            var accuracy = PdfFixtures.CharacterAccuracy(pages[page], document.Text[document.PageStarts[page]..end]);
            output.WriteLine($"{(arabic ? "Arabic" : "English")} scan, page {page + 1}: character accuracy {accuracy:0.0000}, mean confidence {document.OcrConfidence:0.0}");
            Assert.True(accuracy >= 0.95, $"page {page + 1} accuracy {accuracy:0.0000}:\n{document.Text}");
        }
    }

    [Fact]
    public async Task ReadFileAsync_ScanWithoutTesseract_SkippedWithInstallHint()
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { TesseractPath = "/nonexistent/tesseract" });

        var outcome = await loader.ReadFileAsync(samples.ArabicScan);

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(ReadProblem.ToolMissing, outcome.Problem);
        Assert.StartsWith("skipped: scanned PDF, install tesseract-ocr-ara", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_OcrOff_ScanSkippedAsEmpty()
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { Ocr = OcrMode.Off });

        var outcome = await loader.ReadFileAsync(samples.ArabicScan);

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.Equal(ReadProblem.Empty, outcome.Problem);
    }

    [Fact]
    public async Task CliAsk_AboutTheScannedDocument_CitesItWithItsPage()
    {
        var root = TestPaths.NewTempDirectory();
        var db = Path.Combine(root, "index.db");
        var scan = Path.Combine(root, "cloud-policy.pdf");
        File.Copy(samples.ArabicScan, scan);

        var ingest = await PolicyChatCli.RunAsync(root, "ingest", scan, "--db", db);
        const string question = "هل تخضع خدمات الحوسبة السحابية لترخيص مسبق؟";
        var ask = await PolicyChatCli.RunAsync(root, "ask", question, "--db", db, "--json");
        var text = await PolicyChatCli.RunAsync(root, "ask", question, "--db", db);

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.Contains("OCR: 2 of 2 scanned pages recognized, mean confidence", ingest.StdOut, StringComparison.Ordinal);
        Assert.True(ask.ExitCode == 0, ask.ToString());
        var citations = ask.Json["citations"]!.AsArray();
        Assert.NotEmpty(citations);
        Assert.All(citations, c => Assert.Equal(2, (int?)c!["page"]));
        Assert.Contains("ص 2", text.StdOut, StringComparison.Ordinal);
    }
}
