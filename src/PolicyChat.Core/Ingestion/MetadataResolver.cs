using System.Collections.Concurrent;
using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Ingestion;

/// <summary>
/// Metadata for a document: derived from its text, overridden by its folder's metadata.yaml when present.
/// Sidecars are read once per folder per run; an unreadable one is reported and the text-derived metadata is used.
/// </summary>
internal sealed class MetadataResolver
{
    private readonly ConcurrentDictionary<string, (SidecarMetadata Sidecar, string? Error)> _sidecars = new(StringComparer.Ordinal);

    /// <summary>Sidecar files that could not be read, with the reason.</summary>
    public IEnumerable<(string Path, string Error)> Problems =>
        _sidecars.Where(p => p.Value.Error is not null).Select(p => (Path.Combine(p.Key, SidecarMetadata.FileName), p.Value.Error!));

    public DocumentMetadata Resolve(string source, string fileName, ExtractedDocument extracted)
    {
        var derived = MetadataExtractor.Extract(extracted.Text, extracted.Title, fileName);
        if (!Path.IsPathFullyQualified(source))
        {
            return derived;
        }
        var folder = Path.GetDirectoryName(source)!;
        var (sidecar, _) = _sidecars.GetOrAdd(folder, static dir =>
        {
            try
            {
                return (SidecarMetadata.Load(dir), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (SidecarMetadata.Empty, ex.Message);
            }
        });
        return sidecar.Apply(fileName, derived);
    }
}
