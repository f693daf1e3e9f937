using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Retrieval;

public sealed record RetrievalOptions
{
    /// <summary>
    /// How the legs are fused. Score (the default): weighted sum of each leg's max-normalized BM25 scores, which keeps a
    /// leg's confidence (XQuAD-ar recall@1 0.920 vs 0.918 by reciprocal rank, MRR@10 0.950 vs 0.947). The Qdrant store
    /// always fuses by reciprocal rank.
    /// </summary>
    public FusionMethod Fusion { get; init; } = FusionMethod.Score;

    /// <summary>Weight of the word-BM25 leg.</summary>
    public double WordWeight { get; init; } = 1.0;

    /// <summary>
    /// Weight of the character-n-gram BM25 leg. 2.0 measured best on XQuAD (ar and en) with score fusion; the n-gram leg
    /// alone beats the word leg on Arabic, so it weighs more.
    /// </summary>
    public double NGramWeight { get; init; } = 2.0;

    /// <summary>Weight of the dense-vector leg (used only when an embedding model is configured).</summary>
    public double DenseWeight { get; init; } = 1.0;

    /// <summary>The k constant of reciprocal-rank fusion.</summary>
    public int RrfK { get; init; } = 60;

    /// <summary>Candidates each leg contributes before fusion.</summary>
    public int CandidatesPerLeg { get; init; } = 50;

    public FusionWeights ToFusionWeights() => new(WordWeight, NGramWeight, DenseWeight, RrfK, CandidatesPerLeg, Fusion);

    public IEnumerable<string> Validate()
    {
        if (WordWeight < 0 || NGramWeight < 0 || DenseWeight < 0)
        {
            yield return "Retrieval:WordWeight, Retrieval:NGramWeight and Retrieval:DenseWeight must be zero or positive.";
        }
        if (WordWeight + NGramWeight + DenseWeight <= 0)
        {
            yield return "At least one of Retrieval:WordWeight, Retrieval:NGramWeight, Retrieval:DenseWeight must be positive.";
        }
        if (RrfK < 1)
        {
            yield return "Retrieval:RrfK must be at least 1 (60 is the usual value).";
        }
        if (CandidatesPerLeg is < 1 or > 1000)
        {
            yield return "Retrieval:CandidatesPerLeg must be between 1 and 1000.";
        }
    }
}
