using System.Security.Cryptography;

namespace PolicyChat.Core.Documents;

/// <summary>
/// Reads .txt, .md/.markdown, .html/.htm, .docx and .pdf into canonical text (see <see cref="ExtractedDocument"/>).
/// Never throws for bad content: every file gets an Ok, Skipped or Failed outcome with a reason safe to show.
/// Cancellation is honoured (<see cref="OperationCanceledException"/> propagates).
/// </summary>
public sealed class DocumentLoader(DocumentLoaderOptions options)
{
    public static IReadOnlySet<string> SupportedExtensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf" };

    public DocumentLoaderOptions Options { get; } = options;

    /// <summary>Reads one file from disk. Never throws for bad content: returns Skipped/Failed with a reason.</summary>
    public async Task<ReadOutcome> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        cancellationToken.ThrowIfCancellationRequested();
        if (Unsupported(path) is { } unsupported)
        {
            return unsupported;
        }
        try
        {
            var read = await BoundedFile.ReadAsync(path, Options.MaxFileBytes, cancellationToken);
            if (read.Kind == FileKind.Missing)
            {
                return ReadOutcome.Fail(path, "file not found", ReadProblem.Error);
            }
            if (read.Kind != FileKind.RegularFile)
            {
                return ReadOutcome.Skip(path, FileKinds.NotRegularReason(read.Kind), ReadProblem.UnsupportedType);
            }
            if (read.TooLarge)
            {
                return TooLarge(path);
            }
            var bytes = read.Bytes!;
            if (bytes.Length == 0)
            {
                return ReadOutcome.Skip(path, "empty file", ReadProblem.Empty);
            }
            return await ReadCoreAsync(path, bytes, Path.GetFullPath(path), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (UnauthorizedAccessException)
        {
            return ReadOutcome.Fail(path, "access to the file was denied", ReadProblem.Error);
        }
        catch (IOException)
        {
            return ReadOutcome.Fail(path, "the file could not be read (I/O error)", ReadProblem.Error);
        }
    }

    /// <summary>Reads content given as bytes (uploads). The file name decides the format.</summary>
    public async Task<ReadOutcome> ReadBytesAsync(string fileName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        cancellationToken.ThrowIfCancellationRequested();
        if (Unsupported(fileName) is { } unsupported)
        {
            return unsupported;
        }
        if (content.Length > Options.MaxFileBytes)
        {
            return TooLarge(fileName);
        }
        return await ReadCoreAsync(fileName, content, diskPath: null, cancellationToken);
    }

    private static ReadOutcome? Unsupported(string path)
    {
        var extension = Path.GetExtension(path);
        if (SupportedExtensions.Contains(extension))
        {
            return null;
        }
        var reason = string.IsNullOrEmpty(extension) ? "unsupported file type (no extension)" : "unsupported file type " + extension.ToLowerInvariant();
        return ReadOutcome.Skip(path, reason, ReadProblem.UnsupportedType);
    }

    private ReadOutcome TooLarge(string path)
    {
        var megabytes = Options.MaxFileBytes / (1024.0 * 1024.0);
        var limit = megabytes >= 0.01
            ? $"the {megabytes.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} MB limit"
            : $"the {Options.MaxFileBytes}-byte limit";
        return ReadOutcome.Skip(path, "file is larger than " + limit, ReadProblem.TooLarge);
    }

    private async Task<ReadOutcome> ReadCoreAsync(string path, ReadOnlyMemory<byte> bytes, string? diskPath, CancellationToken cancellationToken)
    {
        if (bytes.IsEmpty)
        {
            return ReadOutcome.Skip(path, "empty file", ReadProblem.Empty);
        }
        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            ExtractedDocument document;
            switch (extension)
            {
                case ".docx":
                    document = DocxTextReader.Read(bytes, Options.MaxExtractedChars, cancellationToken);
                    break;
                case ".pdf":
                    var pdf = await ReadPdfAsync(path, bytes, diskPath, cancellationToken);
                    if (pdf.Document is null)
                    {
                        return pdf.Outcome!;
                    }
                    document = pdf.Document;
                    break;
                default:
                    var decoded = TextDecoding.Decode(bytes.Span);
                    if (decoded.Text is null)
                    {
                        return ReadOutcome.Fail(path, decoded.Reason!, decoded.Problem!.Value);
                    }
                    if (string.IsNullOrWhiteSpace(decoded.Text))
                    {
                        return ReadOutcome.Skip(path, "empty file", ReadProblem.Empty);
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                    if (extension is ".txt")
                    {
                        document = new ExtractedDocument(decoded.Text, null, "text", []);
                        break;
                    }
                    using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        deadline.CancelAfter(Options.ParseTimeout);
                        try
                        {
                            document = extension is ".html" or ".htm"
                                ? await HtmlTextReader.ReadAsync(decoded.Text, deadline.Token)
                                : await MarkdownTextReader.ReadAsync(decoded.Text, deadline.Token);
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            var seconds = Options.ParseTimeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
                            return ReadOutcome.Fail(path, $"the {extension} file is too complex: parsing took longer than {seconds} seconds", ReadProblem.Corrupt);
                        }
                    }
                    break;
            }

            if (string.IsNullOrWhiteSpace(document.Text))
            {
                return ReadOutcome.Skip(path, "empty file: no text content after extraction", ReadProblem.Empty);
            }
            if (document.Text.Length > Options.MaxExtractedChars)
            {
                return ReadOutcome.Skip(path, ExtractionLimitException.Reason(Options.MaxExtractedChars), ReadProblem.TooLarge);
            }
            return ReadOutcome.Ok(path, document, Convert.ToHexStringLower(SHA256.HashData(bytes.Span)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ExtractionLimitException)
        {
            return ReadOutcome.Skip(path, ExtractionLimitException.Reason(Options.MaxExtractedChars), ReadProblem.TooLarge);
        }
        catch (InvalidDataException ex) when (extension is ".md" or ".markdown")
        {
            // Our own message, written to be shown.
            return ReadOutcome.Fail(path, ex.Message, ReadProblem.Corrupt);
        }
        catch (Exception) when (extension == ".docx")
        {
            // OpenXml reports broken packages with many exception types; none of their text is shown.
            return ReadOutcome.Fail(path, "corrupt .docx file: not a readable Word document (zip/OpenXML)", ReadProblem.Corrupt);
        }
        catch (Exception)
        {
            return ReadOutcome.Fail(path, $"the {extension} file could not be read", ReadProblem.Error);
        }
    }

    /// <summary>Pages joined by a blank line, each canonical and trimmed, with the offset where each page begins.</summary>
    private static ExtractedDocument JoinPages(PdfTextReader.PdfResult result)
    {
        var text = new System.Text.StringBuilder();
        var starts = new List<int>(result.Pages!.Count);
        foreach (var page in result.Pages)
        {
            if (starts.Count > 0)
            {
                text.Append("\n\n");
            }
            starts.Add(text.Length);
            text.Append(TextDecoding.Canonicalize(page).Trim());
        }
        return new ExtractedDocument(text.ToString(), null, "pdf", [])
        {
            PageStarts = starts,
            OcrPages = result.OcrPages,
            OcrConfidence = result.OcrConfidence,
            UnrecognizedPages = result.UnrecognizedPages,
        };
    }

    private async Task<(ExtractedDocument? Document, ReadOutcome? Outcome)> ReadPdfAsync(string path, ReadOnlyMemory<byte> bytes, string? diskPath, CancellationToken cancellationToken)
    {
        string? temporary = null;
        try
        {
            if (diskPath is null)
            {
                temporary = Path.Combine(Path.GetTempPath(), "policychat-" + Guid.NewGuid().ToString("N") + ".pdf");
                await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
            }
            var result = await PdfTextReader.ReadAsync(diskPath ?? temporary!, Options, cancellationToken);
            if (result.Status == ReadStatus.Skipped)
            {
                return (null, ReadOutcome.Skip(path, result.Reason!, result.Problem!.Value));
            }
            if (result.Pages is null)
            {
                return (null, ReadOutcome.Fail(path, result.Reason!, result.Problem!.Value));
            }
            return (JoinPages(result), null);
        }
        finally
        {
            if (temporary is not null)
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (IOException)
                {
                    // Best effort: a leftover temp file is harmless.
                }
            }
        }
    }
}
