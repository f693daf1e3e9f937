namespace PolicyChat.Core.Documents;

// CONTRACT STUB: the Documents helper replaces the bodies; keep the public signatures.
public sealed class DocumentLoader(DocumentLoaderOptions options)
{
    public static IReadOnlySet<string> SupportedExtensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf" };

    public DocumentLoaderOptions Options { get; } = options;

    /// <summary>Reads one file from disk. Never throws for bad content: returns Skipped/Failed with a reason.</summary>
    public Task<ReadOutcome> ReadFileAsync(string path, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Reads content given as bytes (uploads). The file name decides the format.</summary>
    public Task<ReadOutcome> ReadBytesAsync(string fileName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}

public static class MetadataExtractor
{
    /// <summary>Derives title, language, publication date (ISO yyyy-MM-dd) and outlet from the text where it states them.</summary>
    public static DocumentMetadata Extract(string text, string? formatTitle, string fileName) => throw new NotImplementedException();
}
