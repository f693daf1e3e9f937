using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Ingestion;

/// <summary>Metadata for a document: derived from its text, overridden by a folder's metadata.yaml when present.</summary>
internal static class MetadataResolver
{
    public static DocumentMetadata Resolve(string source, string fileName, ExtractedDocument extracted) =>
        MetadataExtractor.Extract(extracted.Text, extracted.Title, fileName);
}
