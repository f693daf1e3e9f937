namespace PolicyChat.Core.Documents;

// CONTRACT STUB: the Documents helper may extend these, keeping the members used here.

/// <summary>A heading inside extracted text: Text[Start..End] is the heading line; Level 1..6.</summary>
public sealed record HeadingSpan(int Start, int End, int Level);

/// <summary>
/// Plain text extracted from a file, plus a title when the format states one (HTML title, first heading, docx title)
/// and the headings the format marks. Text is the canonical document text that chunk offsets point into.
/// </summary>
public sealed record ExtractedDocument(string Text, string? Title, string Format, IReadOnlyList<HeadingSpan> Headings);

public enum ReadStatus { Ok, Skipped, Failed }

/// <summary>The per-file outcome of reading; a failure never throws out of the loader.</summary>
public sealed record ReadOutcome(string Path, ReadStatus Status, ExtractedDocument? Document, string? Reason, string? ContentHash)
{
    public static ReadOutcome Ok(string path, ExtractedDocument document, string contentHash) => new(path, ReadStatus.Ok, document, null, contentHash);
    public static ReadOutcome Skip(string path, string reason) => new(path, ReadStatus.Skipped, null, reason, null);
    public static ReadOutcome Fail(string path, string reason) => new(path, ReadStatus.Failed, null, reason, null);
}

/// <summary>Metadata derived from a document's text or its sidecar metadata.</summary>
public sealed record DocumentMetadata(string Title, string Language, string? Date, string? Outlet);

public sealed record DocumentLoaderOptions
{
    public long MaxFileBytes { get; init; } = 20 * 1024 * 1024;
}
