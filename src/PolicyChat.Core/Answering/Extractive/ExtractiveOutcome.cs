namespace PolicyChat.Core.Answering.Extractive;

/// <summary>
/// The three outcomes of an answer without a model, and the evidence behind the choice. The extractive confidence
/// (<see cref="ExtractiveAnswer.Confidence"/>) is compared with two thresholds: at or above
/// <see cref="AnswerOptions.ExtractiveAnswerEvidence"/> the sentences are quoted as the answer; at or above
/// <see cref="AnswerOptions.ExtractivePartialEvidence"/> the answer is partial (the closest passages, no claims); below,
/// nothing was found. A question whose passage-level evidence (<see cref="Retrieval.EvidenceScorer"/>, which also counts
/// cross-language names) reaches <see cref="AnswerOptions.AbstainBelow"/> is answered as it was before the confidence
/// existed, provided a sentence was found to quote.
/// </summary>
public sealed record ExtractiveOutcome(string Mode, AnswerEvidence Evidence)
{
    public static ExtractiveOutcome Decide(ExtractiveAnswer answer, double passageEvidence, AnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(options);
        var quotable = answer.Citations.Count > 0;
        var mode = quotable && (answer.Confidence >= options.ExtractiveAnswerEvidence || passageEvidence >= options.AbstainBelow)
            ? AnswerModes.Extractive
            : answer.Confidence >= options.ExtractivePartialEvidence || passageEvidence >= options.AbstainBelow
                ? AnswerModes.Partial
                : AnswerModes.Abstained;
        var evidence = new AnswerEvidence(Math.Round(answer.Confidence, 4), options.ExtractivePartialEvidence, Math.Round(answer.Support, 4),
            options.ExtractiveAnswerEvidence)
        {
            Coverage = Math.Round(answer.Coverage, 4),
            Passage = Math.Round(passageEvidence, 4),
        };
        return new ExtractiveOutcome(mode, evidence);
    }
}
