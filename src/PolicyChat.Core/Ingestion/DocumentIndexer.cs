using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Ingestion;

/// <summary>
/// Turns extracted text and metadata into an indexable document: chunks with offsets, each analyzed for the word and
/// n-gram indexes with the document title included (indexed with every chunk, not shown in it). Pure and thread-safe.
/// </summary>
public sealed class DocumentIndexer(TextAnalyzer analyzer, Chunker chunker)
{
    public TextAnalyzer Analyzer { get; } = analyzer;

    public IndexedDocument Build(string id, string sourcePath, ExtractedDocument extracted, DocumentMetadata metadata,
        string contentHash, DateTimeOffset ingestedAt)
    {
        ArgumentNullException.ThrowIfNull(extracted);
        ArgumentNullException.ThrowIfNull(metadata);
        var text = extracted.Text;
        var document = new StoredDocument(id, sourcePath, metadata.Title, metadata.Language, metadata.Date, metadata.Outlet,
            contentHash, text, ingestedAt);
        var title = Analyzer.AnalyzeForIndex(metadata.Title);
        var chunks = extracted.PageStarts is { Count: > 1 } pages
            ? SplitByPage(text, pages)
            : chunker.Split(text, extracted.Headings.Count > 0 ? extracted.Headings : null);
        var indexed = new List<ChunkToIndex>(chunks.Count);
        foreach (var chunk in chunks)
        {
            var analyzed = Analyzer.AnalyzeForIndex(chunk.Text);
            indexed.Add(new ChunkToIndex(
                chunk.Ordinal,
                chunk.Start,
                chunk.End,
                chunk.Text,
                LanguageDetector.Detect(chunk.Text),
                Concat(title.Terms, analyzed.Terms),
                Concat(title.CharNGrams, analyzed.CharNGrams),
                NGramSource: NGramSource.Concat(title.NGramSource, analyzed.NGramSource))
            {
                Page = extracted.PageAt(chunk.Start),
            });
        }
        return new IndexedDocument(document, indexed);
    }

    /// <summary>Chunks that never cross a page boundary, so each chunk's page is the page of all its text.</summary>
    private List<TextChunk> SplitByPage(string text, IReadOnlyList<int> pageStarts)
    {
        var chunks = new List<TextChunk>();
        for (var page = 0; page < pageStarts.Count; page++)
        {
            var start = pageStarts[page];
            var end = page + 1 < pageStarts.Count ? pageStarts[page + 1] : text.Length;
            foreach (var chunk in chunker.Split(text[start..end]))
            {
                chunks.Add(chunk with { Ordinal = chunks.Count, Start = chunk.Start + start, End = chunk.End + start });
            }
        }
        return chunks;
    }

    private static List<string> Concat(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var list = new List<string>(a.Count + b.Count);
        list.AddRange(a);
        list.AddRange(b);
        return list;
    }
}
