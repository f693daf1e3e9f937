namespace PolicyChat.Core.Documents;

/// <summary>
/// PDF to text, page by page: poppler's pdftotext for the text layer (output capped at
/// <see cref="DocumentLoaderOptions.MaxExtractedChars"/>), then <see cref="PdfTextCleanup"/>; pages without a text
/// layer are recognized with <see cref="TesseractOcr"/> as <see cref="DocumentLoaderOptions.Ocr"/> says.
/// </summary>
internal static class PdfTextReader
{
    public const string ToolMissingReason = "skipped: pdftotext not found (install poppler-utils to read PDF files)";

    /// <summary>A page with fewer letters than this in its text layer counts as scanned.</summary>
    private const int MinLettersForTextLayer = 3;

    internal sealed record PdfResult(IReadOnlyList<string>? Pages, ReadStatus Status, ReadProblem? Problem, string? Reason)
    {
        public int OcrPages { get; init; }
        public double? OcrConfidence { get; init; }
        public int UnrecognizedPages { get; init; }
    }

    public static async Task<PdfResult> ReadAsync(string pdfPath, DocumentLoaderOptions options, CancellationToken cancellationToken)
    {
        var result = await ToolProcess.RunAsync(options.PdfToTextPath, ["-enc", "UTF-8", pdfPath, "-"], options.PdfTimeout,
            options.MaxExtractedChars, cancellationToken);
        switch (result.Outcome)
        {
            case ToolProcess.Outcome.Missing:
                return new PdfResult(null, ReadStatus.Skipped, ReadProblem.ToolMissing, ToolMissingReason);
            case ToolProcess.Outcome.TimedOut:
                return new PdfResult(null, ReadStatus.Failed, ReadProblem.Error, $"pdftotext timed out after {options.PdfTimeout.TotalSeconds:0.#} seconds");
            case ToolProcess.Outcome.TooMuchOutput:
                throw new ExtractionLimitException();
            case ToolProcess.Outcome.Failed:
                return new PdfResult(null, ReadStatus.Failed, ReadProblem.Corrupt, $"corrupt or unreadable PDF (pdftotext exit code {result.ExitCode})");
        }

        // pdftotext ends every page with a form feed.
        var pages = result.Output.Split('\f').Select(PdfTextCleanup.Clean).ToList();
        if (pages.Count > 1 && pages[^1].Trim().Length == 0)
        {
            pages.RemoveAt(pages.Count - 1);
        }
        var scanned = Enumerable.Range(0, pages.Count)
            .Where(i => options.Ocr == OcrMode.Always || (options.Ocr == OcrMode.Auto && pages[i].Count(char.IsLetter) < MinLettersForTextLayer))
            .ToList();
        if (scanned.Count == 0)
        {
            return new PdfResult(pages, ReadStatus.Ok, null, null);
        }
        if (!await TesseractOcr.IsAvailableAsync(options, cancellationToken))
        {
            return pages.All(p => p.Count(char.IsLetter) < MinLettersForTextLayer)
                ? new PdfResult(null, ReadStatus.Skipped, ReadProblem.ToolMissing, TesseractOcr.MissingReason)
                : new PdfResult(pages, ReadStatus.Ok, null, null) { UnrecognizedPages = scanned.Count };
        }

        var work = Directory.CreateTempSubdirectory("policychat-ocr-");
        try
        {
            var confidences = new List<double>();
            var unrecognized = 0;
            foreach (var index in scanned)
            {
                var page = await TesseractOcr.RecognizeAsync(pdfPath, index + 1, options, work.FullName, cancellationToken);
                if (page is null)
                {
                    unrecognized++;
                    continue;
                }
                pages[index] = PdfTextCleanup.Clean(page.Text);
                confidences.Add(page.MeanConfidence);
            }
            return new PdfResult(pages, ReadStatus.Ok, null, null)
            {
                OcrPages = confidences.Count,
                OcrConfidence = confidences.Count > 0 ? confidences.Average() : null,
                UnrecognizedPages = unrecognized,
            };
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp folder is harmless.
            }
        }
    }
}
