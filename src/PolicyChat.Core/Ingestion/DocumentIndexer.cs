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
        var chunks = Split(extracted);
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

    /// <summary>
    /// The document and its chunks analyzed lazily, in batches of <paramref name="batchSize"/>, for a store that takes
    /// them as they come (<see cref="IStreamingIndexStore"/>): chunks carry their n-grams in compact form only
    /// (<see cref="ChunkToIndex.NGramSource"/>), so memory follows a batch, not the document.
    /// </summary>
    public (StoredDocument Document, int ChunkCount, IEnumerable<IReadOnlyList<ChunkToIndex>> Batches) BuildInBatches(string id, string sourcePath,
        ExtractedDocument extracted, DocumentMetadata metadata, string contentHash, DateTimeOffset ingestedAt, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(extracted);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var document = new StoredDocument(id, sourcePath, metadata.Title, metadata.Language, metadata.Date, metadata.Outlet,
            contentHash, extracted.Text, ingestedAt);
        var title = Analyzer.AnalyzeForIndex(metadata.Title);
        var chunks = Split(extracted);
        return (document, chunks.Count, Batches());

        IEnumerable<IReadOnlyList<ChunkToIndex>> Batches()
        {
            for (var start = 0; start < chunks.Count; start += batchSize)
            {
                var batch = new List<ChunkToIndex>(Math.Min(batchSize, chunks.Count - start));
                foreach (var chunk in chunks.Skip(start).Take(batchSize))
                {
                    var analyzed = Analyzer.AnalyzeForIndex(chunk.Text);
                    batch.Add(new ChunkToIndex(chunk.Ordinal, chunk.Start, chunk.End, chunk.Text, LanguageDetector.Detect(chunk.Text),
                        Concat(title.Terms, analyzed.Terms), [], NGramSource: NGramSource.Concat(title.NGramSource, analyzed.NGramSource))
                    {
                        Page = extracted.PageAt(chunk.Start),
                    });
                }
                yield return batch;
            }
        }
    }

    /// <summary>The document's chunks: split by page when it has pages (PDF), else by its headings.</summary>
    private IReadOnlyList<TextChunk> Split(ExtractedDocument extracted) =>
        extracted.PageStarts is { Count: > 1 } pages
            ? SplitByPage(extracted.Text, pages)
            : chunker.Split(extracted.Text, extracted.Headings.Count > 0 ? extracted.Headings : null);

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
