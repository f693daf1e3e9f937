namespace PolicyChat.Core.Documents;

/// <summary>A heading inside extracted text: Text[Start..End] is the heading line; Level 1..6.</summary>
public sealed record HeadingSpan(int Start, int End, int Level);

/// <summary>
/// Plain text extracted from a file, plus a title when the format states one (HTML title, first heading, docx title)
/// and the headings the format marks. Text is the canonical document text that chunk offsets point into.
/// </summary>
public sealed record ExtractedDocument(string Text, string? Title, string Format, IReadOnlyList<HeadingSpan> Headings)
{
    /// <summary>Publication date (yyyy-MM-dd) stated by the format itself (Markdown front matter); null otherwise.</summary>
    public string? Date { get; init; }

    /// <summary>Outlet stated by the format itself (Markdown front matter); null otherwise.</summary>
    public string? Outlet { get; init; }

    /// <summary>Language code stated by the format itself (Markdown front matter); null otherwise.</summary>
    public string? Language { get; init; }

    /// <summary>For paged formats (PDF): the offset in <see cref="Text"/> where each page begins (page n at index n-1).</summary>
    public IReadOnlyList<int>? PageStarts { get; init; }

    /// <summary>Pages whose text came from optical character recognition, and Tesseract's mean word confidence (0-100) over them.</summary>
    public int OcrPages { get; init; }

    public double? OcrConfidence { get; init; }

    /// <summary>Scanned pages that could not be recognized (OCR missing, off, or failed on them).</summary>
    public int UnrecognizedPages { get; init; }

    /// <summary>The 1-based page holding <paramref name="offset"/>; null for formats without pages.</summary>
    public int? PageAt(int offset)
    {
        if (PageStarts is not { Count: > 0 } starts)
        {
            return null;
        }
        var page = 1;
        for (var i = 1; i < starts.Count && starts[i] <= offset; i++)
        {
            page = i + 1;
        }
        return page;
    }
}

/// <summary>When scanned PDF pages are recognized: Auto (pages without a text layer), Off, or Always (every page).</summary>
public enum OcrMode { Auto, Off, Always }

public enum ReadStatus { Ok, Skipped, Failed }

/// <summary>Why a file was skipped or failed, so callers can show a localized message (see <see cref="ReadProblemMessages"/>).</summary>
public enum ReadProblem
{
    UnsupportedType,
    Empty,
    TooLarge,
    InvalidEncoding,
    Binary,
    Corrupt,
    ToolMissing,
    Error,
}

/// <summary>The per-file outcome of reading; a failure never throws out of the loader.</summary>
public sealed record ReadOutcome(string Path, ReadStatus Status, ExtractedDocument? Document, string? Reason, string? ContentHash)
{
    /// <summary>Null when <see cref="Status"/> is Ok; otherwise the kind of problem behind <see cref="Reason"/>.</summary>
    public ReadProblem? Problem { get; init; }

    public static ReadOutcome Ok(string path, ExtractedDocument document, string contentHash) => new(path, ReadStatus.Ok, document, null, contentHash);

    public static ReadOutcome Skip(string path, string reason) => Skip(path, reason, ReadProblem.Error);

    public static ReadOutcome Fail(string path, string reason) => Fail(path, reason, ReadProblem.Error);

    public static ReadOutcome Skip(string path, string reason, ReadProblem problem) => new(path, ReadStatus.Skipped, null, reason, null) { Problem = problem };

    public static ReadOutcome Fail(string path, string reason, ReadProblem problem) => new(path, ReadStatus.Failed, null, reason, null) { Problem = problem };
}

/// <summary>Metadata derived from a document's text or its sidecar metadata.</summary>
public sealed record DocumentMetadata(string Title, string Language, string? Date, string? Outlet);

public sealed record DocumentLoaderOptions
{
    public long MaxFileBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>
    /// The most characters one document may expand to (compressed formats: .docx, .pdf). Reading stops as soon as
    /// the limit is passed and the file is reported "skipped: expands beyond the limit".
    /// </summary>
    public long MaxExtractedChars { get; init; } = 4_000_000;

    /// <summary>The pdftotext executable: a bare name is looked up on PATH, anything else is used as a path.</summary>
    public string PdfToTextPath { get; init; } = "pdftotext";

    /// <summary>How long one pdftotext run may take before it is killed and the file reported as failed.</summary>
    public TimeSpan PdfTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Optical character recognition of PDF pages (Ingestion:Ocr = auto, off, always).</summary>
    public OcrMode Ocr { get; init; } = OcrMode.Auto;

    /// <summary>The tesseract executable (Debian: tesseract-ocr, with tesseract-ocr-ara for Arabic).</summary>
    public string TesseractPath { get; init; } = "tesseract";

    /// <summary>The pdftoppm executable (poppler-utils), which renders scanned pages for OCR.</summary>
    public string PdfToPpmPath { get; init; } = "pdftoppm";

    /// <summary>Tesseract languages, joined with '+'.</summary>
    public string OcrLanguages { get; init; } = "ara+eng";

    /// <summary>Resolution scanned pages are rendered at for OCR.</summary>
    public int OcrDpi { get; init; } = 300;

    /// <summary>How long rendering or recognizing one page may take.</summary>
    public TimeSpan OcrPageTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long parsing one HTML document (or the raw HTML inside one Markdown file) may take.</summary>
    public TimeSpan ParseTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
