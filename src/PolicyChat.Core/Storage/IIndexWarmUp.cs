namespace PolicyChat.Core.Storage;

/// <summary>
/// A store that builds in-memory search structures on first use (the embedded store's BM25 indexes and vector matrix)
/// and can build them ahead of it, so the first question after start-up does not wait for them.
/// </summary>
public interface IIndexWarmUp
{
    /// <summary>True once the in-memory structures are built (writes keep them current from then on).</summary>
    bool IsWarm { get; }

    /// <summary>Builds the in-memory structures now (no-op when built); returns the number of chunks they cover.</summary>
    Task<int> WarmUpAsync(CancellationToken cancellationToken = default);
}
