using System.Diagnostics;
using System.Net;

namespace PolicyChat.Core.Tests.Documents;

/// <summary>
/// PDFs made at test time the way policy teams get them: Chromium prints HTML with the Amiri font (a text layer in
/// logical order), and a "scan" is the same PDF rendered to page images by pdftoppm and packed back by img2pdf (no
/// text layer). Missing tools fail the tests (CI installs chromium, fonts-hosny-amiri, poppler-utils, img2pdf).
/// </summary>
public static class PdfFixtures
{
    public static readonly string[] ArabicPages =
    [
        "تنص سياسة حماية البيانات الشخصية على أن تحتفظ الجهات الحكومية بالبيانات داخل المملكة لمدة لا تتجاوز خمس سنوات. ويجب على كل جهة تعيين مسؤول لحماية البيانات يرفع تقريرا سنويا إلى الهيئة الوطنية للأمن السيبراني.",
        "تخضع خدمات الحوسبة السحابية لترخيص مسبق من هيئة الاتصالات والفضاء والتقنية، وتلتزم الجهات بتصنيف بياناتها قبل نقلها إلى مزود الخدمة.",
    ];

    public static readonly string[] EnglishPages =
    [
        "The data protection policy requires government agencies to keep personal data inside the country for no longer than five years.",
        "Cloud computing services require a prior licence from the Communications, Space and Technology Commission.",
    ];

    /// <summary>Amiri: a calligraphic naskh with many ligatures (hard for pdftotext spacing and for OCR).</summary>
    public const string Amiri = "Amiri,serif";

    /// <summary>DejaVu Sans: a plain sans face like those most policy documents are set in.</summary>
    public const string DejaVuSans = "'DejaVu Sans',sans-serif";

    /// <summary>Prints the pages (one per sheet) to a PDF with Chromium.</summary>
    public static async Task<string> PrintAsync(string directory, string name, IReadOnlyList<string> pages, bool arabic, string font = Amiri)
    {
        var html = Path.Combine(directory, name + ".html");
        var body = string.Join("", pages.Select((p, i) => $"<p style=\"{(i > 0 ? "page-break-before:always;" : "")}\">{WebUtility.HtmlEncode(p)}</p>"));
        await File.WriteAllTextAsync(html,
            $"<!doctype html><html lang=\"{(arabic ? "ar" : "en")}\" dir=\"{(arabic ? "rtl" : "ltr")}\"><head><meta charset=\"utf-8\">" +
            "<style>body{font-family:" + font + ";font-size:" + (font == Amiri ? "20pt" : "16pt") + ";line-height:1.8;margin:2cm}</style></head><body>" + body + "</body></html>");
        var pdf = Path.Combine(directory, name + ".pdf");
        await RunAsync("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            "--user-data-dir=" + Path.Combine(directory, "chromium-profile"), "--print-to-pdf=" + pdf, new Uri(html).AbsoluteUri);
        Assert.True(File.Exists(pdf), "Chromium made no PDF");
        return pdf;
    }

    /// <summary>A scan of <paramref name="pdf"/>: pages rendered to 300 dpi grayscale PNGs, packed into an image-only PDF.</summary>
    public static async Task<string> ScanAsync(string pdf)
    {
        var directory = Path.Combine(Path.GetDirectoryName(pdf)!, Path.GetFileNameWithoutExtension(pdf) + "-pages");
        Directory.CreateDirectory(directory);
        await RunAsync("pdftoppm", "-r", "300", "-gray", "-png", pdf, Path.Combine(directory, "page"));
        var images = Directory.GetFiles(directory, "*.png").Order(StringComparer.Ordinal).ToList();
        var scan = Path.Combine(Path.GetDirectoryName(pdf)!, Path.GetFileNameWithoutExtension(pdf) + "-scan.pdf");
        await RunAsync("img2pdf", [.. images, "-o", scan]);
        return scan;
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException(tool + " did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{tool} failed ({process.ExitCode}): {await stderr}");
    }

    /// <summary>1 - (character edit distance / reference length), over whitespace-normalized text.</summary>
    public static double CharacterAccuracy(string reference, string recognized)
    {
        var a = string.Join(' ', reference.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var b = string.Join(' ', recognized.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return 1 - (previous[b.Length] / (double)a.Length);
    }
}
