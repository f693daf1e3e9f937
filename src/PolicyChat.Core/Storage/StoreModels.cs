namespace PolicyChat.Core.Storage;

/// <summary>Metadata and full text of one ingested document.</summary>
public sealed record StoredDocument(
    string Id,
    string SourcePath,
    string Title,
    string Language,
    string? Date,
    string? Outlet,
    string ContentHash,
    string Text,
    DateTimeOffset IngestedAt);

/// <summary>A document without its text, for listings.</summary>
public sealed record DocumentSummary(
    string Id,
    string SourcePath,
    string Title,
    string Language,
    string? Date,
    string? Outlet,
    string ContentHash,
    int ChunkCount,
    DateTimeOffset IngestedAt);

/// <summary>
/// A chunk ready for indexing. <see cref="Terms"/> are analyzed word terms (title terms included),
/// <see cref="NGrams"/> analyzed character n-grams; both are produced by the same analyzer used at query time.
/// <see cref="Text"/> equals documentText[Start..End]. <see cref="NGramSource"/> is the grams' compact form (see
/// <see cref="PolicyChat.Core.Text.NGramSource"/>), which the embedded store keeps instead of the grams; when it is null
/// the store derives one from <see cref="NGrams"/>.
/// </summary>
public sealed record ChunkToIndex(
    int Ordinal,
    int Start,
    int End,
    string Text,
    string Language,
    IReadOnlyList<string> Terms,
    IReadOnlyList<string> NGrams,
    float[]? Vector = null,
    string? NGramSource = null)
{
    /// <summary>The 1-based page of a paged source (PDF) the chunk starts on; null for other formats.</summary>
    public int? Page { get; init; }
}

/// <summary>A document and all its chunks: replacing it is atomic (old version stays intact on failure).</summary>
public sealed record IndexedDocument(StoredDocument Document, IReadOnlyList<ChunkToIndex> Chunks);

/// <summary>Restricts a search or listing.</summary>
public sealed record SearchFilter(IReadOnlyList<string>? DocumentIds = null, IReadOnlyList<string>? Languages = null)
{
    public static SearchFilter None { get; } = new();
    public bool IsEmpty => (DocumentIds is null || DocumentIds.Count == 0) && (Languages is null || Languages.Count == 0);
}

/// <summary>How the legs' ranked lists become one.</summary>
public enum FusionMethod
{
    /// <summary>Weighted reciprocal rank: Σ weight / (k + rank). Needs ranks only.</summary>
    ReciprocalRank,

    /// <summary>Weighted sum of each leg's scores divided by the leg's best score (CombSUM, max-normalized); keeps score gaps.</summary>
    Score,
}

/// <summary>
/// Relative weights of the retrieval legs and the fusion method. Stores that cannot fuse by score (Qdrant) use
/// reciprocal rank whatever <see cref="Method"/> says.
/// </summary>
public sealed record FusionWeights(double Words = 1.0, double NGrams = 1.5, double Dense = 1.0, int RrfK = 60, int CandidatesPerLeg = 50,
    FusionMethod Method = FusionMethod.ReciprocalRank);

/// <summary>A hybrid query: each leg is used when it has input.</summary>
public sealed record IndexQuery(
    IReadOnlyList<string> Terms,
    IReadOnlyList<string> NGrams,
    float[]? Vector,
    int Limit,
    SearchFilter? Filter = null,
    FusionWeights? Weights = null);

/// <summary>Per-leg 1-based ranks of a hit (null when the leg did not return it) and raw leg scores.</summary>
public sealed record LegRanks(int? Words, int? NGrams, int? Dense, double? WordScore = null, double? NGramScore = null, double? DenseScore = null);

/// <summary>One retrieved chunk with the metadata needed to cite it.</summary>
public sealed record ChunkHit(
    string DocumentId,
    int Ordinal,
    int Start,
    int End,
    string Text,
    string Title,
    string Language,
    string? Date,
    string? Outlet,
    double Score,
    LegRanks Ranks)
{
    /// <summary>The 1-based page of a paged source (PDF) the chunk starts on; null for other formats.</summary>
    public int? Page { get; init; }
}

/// <summary>What built the dense vectors of an index; a query embedder must match it.</summary>
/// <param name="Tokenizer">The tokenizer chunks were sized with (<c>TokenizerFactory.Describe</c>), or null when chunks
/// were sized in characters or the index predates this record; ingestion refuses another one.</param>
public sealed record EmbedderInfo(string Endpoint, string Model, int Dimensions, string? Tokenizer = null);

public sealed record IndexStats(int Documents, int Chunks, EmbedderInfo? Embedder);

/// <summary>The state incremental ingestion compares against.</summary>
public sealed record DocumentState(string Id, string SourcePath, string ContentHash);
