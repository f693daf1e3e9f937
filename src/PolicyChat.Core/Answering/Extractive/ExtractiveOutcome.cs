namespace PolicyChat.Core.Answering.Extractive;

/// <summary>
/// The three outcomes of an answer without a model, and the evidence behind the choice. The extractive confidence
/// (<see cref="ExtractiveAnswer.Confidence"/>) is compared with two thresholds: at or above
/// <see cref="AnswerOptions.ExtractiveAnswerEvidence"/> the sentences are quoted as the answer; at or above
/// <see cref="AnswerOptions.ExtractivePartialEvidence"/> the answer is partial (the closest passages, no claims); below,
/// nothing was found. A question whose passage-level evidence (<see cref="Retrieval.EvidenceScorer"/>, which also counts
/// cross-language names) reaches <see cref="AnswerOptions.ExtractivePassageEvidence"/> is answered whatever the
/// confidence, provided a sentence was found to quote. When every content word of the question occurs in the collection
/// (<see cref="ExtractiveAnswer.AllWordsKnown"/>) the lower <see cref="AnswerOptions.ExtractiveAnswerEvidenceKnownWords"/>
/// and <see cref="AnswerOptions.ExtractivePassageEvidenceKnownWords"/> apply: a question naming something the collection
/// never mentions is most likely about something else. Passage evidence at <see cref="AnswerOptions.AbstainBelow"/> keeps
/// an answer at least partial.
/// </summary>
public sealed record ExtractiveOutcome(string Mode, AnswerEvidence Evidence)
{
    public static ExtractiveOutcome Decide(ExtractiveAnswer answer, double passageEvidence, AnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(options);
        var quotable = answer.Citations.Count > 0;
        var answerAt = answer.AllWordsKnown ? options.ExtractiveAnswerEvidenceKnownWords : options.ExtractiveAnswerEvidence;
        var passageAt = answer.AllWordsKnown ? options.ExtractivePassageEvidenceKnownWords : options.ExtractivePassageEvidence;
        var mode = quotable && (answer.Confidence >= answerAt || passageEvidence >= passageAt)
            ? AnswerModes.Extractive
            : answer.Confidence >= options.ExtractivePartialEvidence || passageEvidence >= options.AbstainBelow
                ? AnswerModes.Partial
                : AnswerModes.Abstained;
        var evidence = new AnswerEvidence(Math.Round(answer.Confidence, 4), options.ExtractivePartialEvidence, Math.Round(answer.Support, 4),
            answerAt)
        {
            Coverage = Math.Round(answer.Coverage, 4),
            Passage = Math.Round(passageEvidence, 4),
        };
        return new ExtractiveOutcome(mode, evidence);
    }
}
