namespace PolicyChat.Core.Ingestion;

public enum IngestionStatus { Added, Updated, Unchanged, Skipped, Failed, Removed }

/// <summary>What happened to one document (or one path that could not become a document).</summary>
public sealed record IngestionResult(
    string Path,
    string? DocumentId,
    IngestionStatus Status,
    int Chunks,
    string? Reason,
    TimeSpan Elapsed,
    string? Title = null)
{
    /// <summary>For Skipped and Failed files that could not be read: the kind of problem, for a localized message.</summary>
    public Documents.ReadProblem? Problem { get; init; }

    /// <summary>What a stored document's reading involved worth knowing (OCR pages and confidence); null when nothing.</summary>
    public string? Detail { get; init; }
}

public sealed record IngestionSummary(IReadOnlyList<IngestionResult> Results, TimeSpan Elapsed)
{
    public int Added => Count(IngestionStatus.Added);
    public int Updated => Count(IngestionStatus.Updated);
    public int Unchanged => Count(IngestionStatus.Unchanged);
    public int Skipped => Count(IngestionStatus.Skipped);
    public int Failed => Count(IngestionStatus.Failed);
    public int Removed => Count(IngestionStatus.Removed);
    public int ChunksWritten => Results.Where(r => r.Status is IngestionStatus.Added or IngestionStatus.Updated).Sum(r => r.Chunks);

    private int Count(IngestionStatus status) => Results.Count(r => r.Status == status);
}

public sealed record IngestionOptions
{
    /// <summary>Parallel readers/analyzers; defaults to the number of cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Remove documents whose source files no longer exist.</summary>
    public bool Prune { get; init; }

    /// <summary>Follow symbolic links found inside ingested folders, even out of them (each real file and folder is still read once).</summary>
    public bool FollowLinks { get; init; }

    /// <summary>Chunks per embedding request when an embedding model is configured.</summary>
    public int EmbeddingBatchSize { get; init; } = 32;
}
