using System.Diagnostics;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Tests.Documents;

public sealed class DocxAndPdfTests
{
    private static readonly DocumentLoader s_loader = new(new DocumentLoaderOptions());

    private static Paragraph Para(string text, string? style = null, bool numbered = false)
    {
        var paragraph = new Paragraph();
        if (style is not null || numbered)
        {
            var properties = new ParagraphProperties();
            if (style is not null)
            {
                properties.ParagraphStyleId = new ParagraphStyleId { Val = style };
            }
            if (numbered)
            {
                properties.NumberingProperties = new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 });
            }
            paragraph.Append(properties);
        }
        paragraph.Append(new Run(new DocumentFormat.OpenXml.Wordprocessing.Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        return paragraph;
    }

    private static byte[] BuildDocx(string? coreTitle, params OpenXmlElement[] content)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            if (coreTitle is not null)
            {
                document.PackageProperties.Title = coreTitle;
            }
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(content));
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new Styles(
                new Style(new StyleName { Val = "heading 1" }) { Type = StyleValues.Paragraph, StyleId = "Heading1" },
                new Style(new StyleName { Val = "heading 2" }) { Type = StyleValues.Paragraph, StyleId = "Heading2" },
                new Style(new StyleName { Val = "heading 3" }) { Type = StyleValues.Paragraph, StyleId = "berschrift3" },
                new Style(new StyleName { Val = "Title" }) { Type = StyleValues.Paragraph, StyleId = "Title" });
            main.Document.Save();
        }
        return stream.ToArray();
    }

    private static Table BuildTable(params string[][] rows) =>
        new(rows.Select(cells => new TableRow(cells.Select(c => new TableCell(Para(c))))));

    [Fact]
    public async Task ReadBytesAsync_Docx_ExtractsParagraphsHeadingsAndTables()
    {
        var bytes = BuildDocx(
            null,
            Para("تقرير السياسات", "Title"),
            Para("مقدمة", "Heading1"),
            Para("الفقرة الأولى."),
            Para("Details", "Heading2"),
            Para("Localized heading style", "berschrift3"),
            Para("item one", numbered: true),
            Para("item two", numbered: true),
            BuildTable(["k", "v"], ["a", ""], ["b", "2"]),
            Para("Final."));

        var outcome = await s_loader.ReadBytesAsync("report.docx", bytes);

        Assert.Equal(ReadStatus.Ok, outcome.Status);
        var document = outcome.Document!;
        Assert.Equal("docx", document.Format);
        Assert.Equal("تقرير السياسات", document.Title);
        Assert.Equal(
            [("تقرير السياسات", 1), ("مقدمة", 1), ("Details", 2), ("Localized heading style", 3)],
            document.Headings.Select(h => (document.Text[h.Start..h.End], h.Level)).ToList());
        var lines = document.Text.Split('\n');
        Assert.Contains("الفقرة الأولى.", lines);
        Assert.Contains("item one\nitem two", document.Text, StringComparison.Ordinal);
        Assert.Contains("k\tv\na\t\nb\t2", document.Text, StringComparison.Ordinal);
        Assert.EndsWith("Final.", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_DocxWithCoreTitle_PrefersCoreProperties()
    {
        var bytes = BuildDocx("Core title", Para("Styled title", "Title"), Para("Body."));

        var outcome = await s_loader.ReadBytesAsync("a.docx", bytes);

        Assert.Equal("Core title", outcome.Document!.Title);
    }

    [Fact]
    public async Task ReadFileAsync_CorruptDocx_FailsWithClearReason()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "broken.docx");
        var bytes = BuildDocx(null, Para("text"));
        await File.WriteAllBytesAsync(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var outcome = await s_loader.ReadFileAsync(path);

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal(ReadProblem.Corrupt, outcome.Problem);
        Assert.StartsWith("corrupt .docx file", outcome.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBytesAsync_TextRenamedDocx_FailsAsCorrupt()
    {
        var outcome = await s_loader.ReadBytesAsync("a.docx", Encoding.UTF8.GetBytes("just text, not a zip"));

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.Equal(ReadProblem.Corrupt, outcome.Problem);
    }

    /// <summary>A minimal one-page PDF with correct xref offsets, showing <paramref name="text"/> in Helvetica.</summary>
    internal static byte[] BuildPdf(string text)
    {
        var content = $"BT /F1 24 Tf 72 700 Td ({text}) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var sb = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(sb.Length);
            sb.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = sb.Length;
        sb.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            sb.Append($"{offset:D10} 00000 n \n");
        }
        sb.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static bool PdfToTextInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, "pdftotext")));

    [Fact]
    public async Task ReadFileAsync_RealPdf_ExtractsTextWhenPdftotextIsInstalled()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "doc.pdf");
        await File.WriteAllBytesAsync(path, BuildPdf("Open source policy 2025"));

        var outcome = await s_loader.ReadFileAsync(path);

        if (PdfToTextInstalled())
        {
            Assert.True(outcome.Status == ReadStatus.Ok, outcome.Reason);
            Assert.Equal("Open source policy 2025", outcome.Document!.Text);
            Assert.Equal("pdf", outcome.Document.Format);
            Assert.Equal(64, outcome.ContentHash!.Length);
        }
        else
        {
            // CI installs poppler-utils; without it the loader must say so instead of failing.
            Assert.Equal(ReadProblem.ToolMissing, outcome.Problem);
        }
    }

    [Fact]
    public async Task ReadBytesAsync_RealPdf_ExtractsTextThroughTemporaryFile()
    {
        var outcome = await s_loader.ReadBytesAsync("upload.pdf", BuildPdf("Uploaded PDF"));

        if (PdfToTextInstalled())
        {
            Assert.Equal("Uploaded PDF", outcome.Document!.Text);
            Assert.Equal("upload.pdf", outcome.Path);
        }
        else
        {
            Assert.Equal(ReadProblem.ToolMissing, outcome.Problem);
        }
    }

    [Fact]
    public async Task ReadBytesAsync_CorruptPdf_FailsOrSaysToolMissing()
    {
        var outcome = await s_loader.ReadBytesAsync("bad.pdf", Encoding.ASCII.GetBytes("%PDF-1.4\nthis is not a pdf body\n"));

        Assert.NotEqual(ReadStatus.Ok, outcome.Status);
        Assert.Equal(PdfToTextInstalled() ? ReadProblem.Corrupt : ReadProblem.ToolMissing, outcome.Problem);
    }

    [Theory]
    [InlineData("/nonexistent/bin/pdftotext")]
    [InlineData("pdftotext-not-installed-anywhere")]
    public async Task ReadBytesAsync_PdfToolMissing_SkipsWithInstallHint(string toolPath)
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { PdfToTextPath = toolPath });

        var outcome = await loader.ReadBytesAsync("a.pdf", BuildPdf("text"));

        Assert.Equal(ReadStatus.Skipped, outcome.Status);
        Assert.StartsWith("skipped: pdftotext not found", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("poppler-utils", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(ReadProblem.ToolMissing, outcome.Problem);
    }

    private static string WriteSleepingTool()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "slow-pdftotext");
        // Writes its process id beside itself, then becomes `sleep 30`.
        File.WriteAllText(path, "#!/bin/sh\necho $$ > \"$0.pid\"\nexec sleep 30\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    [Fact]
    public async Task ReadBytesAsync_PdfToolHangs_FailsAfterTimeout()
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { PdfToTextPath = WriteSleepingTool(), PdfTimeout = TimeSpan.FromMilliseconds(500) });
        var watch = Stopwatch.StartNew();

        var outcome = await loader.ReadBytesAsync("a.pdf", BuildPdf("text"));

        Assert.Equal(ReadStatus.Failed, outcome.Status);
        Assert.StartsWith("pdftotext timed out", outcome.Reason, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ReadBytesAsync_CancelledWhilePdfToolRuns_ThrowsAndKillsTool()
    {
        var loader = new DocumentLoader(new DocumentLoaderOptions { PdfToTextPath = WriteSleepingTool() });
        var pidFile = loader.Options.PdfToTextPath + ".pid";
        using var cts = new CancellationTokenSource();

        var reading = loader.ReadBytesAsync("a.pdf", BuildPdf("text"), cts.Token);
        var started = Stopwatch.StartNew();
        while (!(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim().Length > 0) && started.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var gone = Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{pid}") && gone.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the tool (pid {pid}) is still running");
    }
}
