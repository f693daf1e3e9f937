namespace PolicyChat.Core.Storage;

/// <summary>
/// The index contract shared by the embedded SQLite store and the Qdrant store.
/// Implementations keep a document's metadata and its chunks consistent: after any failure or crash a document
/// is either fully present in its old version or fully present in its new one.
/// </summary>
public interface IIndexStore : IAsyncDisposable
{
    /// <summary>Creates schema/collections when missing. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Id, source path and content hash of every document, for incremental ingestion.</summary>
    Task<IReadOnlyList<DocumentState>> GetDocumentStatesAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds or atomically replaces a document and all of its chunks.</summary>
    Task UpsertDocumentAsync(IndexedDocument document, CancellationToken cancellationToken = default);

    /// <summary>Removes a document and its chunks. Returns false when it did not exist.</summary>
    Task<bool> DeleteDocumentAsync(string documentId, CancellationToken cancellationToken = default);

    Task<StoredDocument?> GetDocumentAsync(string documentId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(SearchFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Hybrid search: every leg with input is searched and the legs are fused by weighted reciprocal rank.</summary>
    Task<IReadOnlyList<ChunkHit>> SearchAsync(IndexQuery query, CancellationToken cancellationToken = default);

    /// <summary>The embedder recorded for this index, or null when no vectors were stored yet.</summary>
    Task<EmbedderInfo?> GetEmbedderAsync(CancellationToken cancellationToken = default);

    /// <summary>Records the embedder that built the vectors (first vector write).</summary>
    Task SetEmbedderAsync(EmbedderInfo embedder, CancellationToken cancellationToken = default);

    Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
