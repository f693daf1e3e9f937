namespace PolicyChat.Core.Storage;

/// <summary>
/// A store that takes a document's chunks as they are produced, so memory does not follow the size of the document:
/// still one atomic replacement (the old version stays until the last chunk is written and the write commits).
/// </summary>
public interface IStreamingIndexStore
{
    Task UpsertDocumentAsync(StoredDocument document, IAsyncEnumerable<IReadOnlyList<ChunkToIndex>> chunkBatches, CancellationToken cancellationToken = default);
}
