namespace PolicyChat.Core.Answering;

public sealed record AnswerOptions
{
    /// <summary>Folder of the prompt files; empty = `prompts/` found from the working directory or the app folder.</summary>
    public string? PromptsPath { get; init; }

    /// <summary>Passages given to the model and shown as sources.</summary>
    public int Passages { get; init; } = 6;

    /// <summary>
    /// Minimum evidence score (IDF-weighted share of the question's terms found in the best passage, see
    /// <see cref="EvidenceScorer"/>) below which the service abstains without calling the model. Calibrated with
    /// `dotnet run -c Release --project tests/PolicyChat.Benchmarks -- abstention` (README, "Abstention").
    /// </summary>
    public double AbstainBelow { get; init; } = 0.55;

    /// <summary>
    /// Without a model: the extractive confidence (<see cref="ExtractiveAnswer.Confidence"/>) below which the service says
    /// nothing was found. Between this and <see cref="ExtractiveAnswerEvidence"/> the answer is partial: the closest
    /// passages, no claims. Calibrated with `policychat eval squad --answers --outcomes` (README, "Extractive answers").
    /// </summary>
    public double ExtractivePartialEvidence { get; init; } = 0.088;

    /// <summary>Without a model: the extractive confidence at which the best sentences are quoted as the answer.</summary>
    public double ExtractiveAnswerEvidence { get; init; } = 0.173;

    /// <summary>Weights of the extractive sentence score (not bound from configuration; tuned defaults).</summary>
    public Extractive.ExtractiveScoring ExtractiveScoring { get; init; } = new();

    /// <summary>Minimum support score (share of a cited sentence's terms found in the cited passage) for a citation to stand.</summary>
    public double CitationSupportThreshold { get; init; } = 0.35;

    /// <summary>Messages kept per conversation (older ones are dropped).</summary>
    public int MaxHistoryMessages { get; init; } = 20;

    /// <summary>Maximum question length in characters.</summary>
    public int MaxQuestionChars { get; init; } = 2000;

    /// <summary>Sentences in an extractive answer.</summary>
    public int ExtractiveSentences { get; init; } = 3;

    /// <summary>Translate questions into the collection's other languages when a model is configured.</summary>
    public bool CrossLingual { get; init; } = true;

    public IEnumerable<string> Validate()
    {
        if (Passages is < 1 or > 20)
        {
            yield return "Answer:Passages must be between 1 and 20.";
        }
        if (AbstainBelow is < 0 or > 1)
        {
            yield return "Answer:AbstainBelow must be between 0 and 1.";
        }
        if (ExtractivePartialEvidence is < 0 or > 1)
        {
            yield return "Answer:ExtractivePartialEvidence must be between 0 and 1.";
        }
        if (ExtractiveAnswerEvidence is < 0 or > 1)
        {
            yield return "Answer:ExtractiveAnswerEvidence must be between 0 and 1.";
        }
        if (CitationSupportThreshold is < 0 or > 1)
        {
            yield return "Answer:CitationSupportThreshold must be between 0 and 1.";
        }
        if (MaxHistoryMessages is < 2 or > 200)
        {
            yield return "Answer:MaxHistoryMessages must be between 2 and 200.";
        }
        if (MaxQuestionChars is < 10 or > 20000)
        {
            yield return "Answer:MaxQuestionChars must be between 10 and 20000.";
        }
    }
}
