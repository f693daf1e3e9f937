using PolicyChat.Core.Answering;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Answered, partial or not found without a model.</summary>
public sealed class ExtractiveOutcomeTests
{
    private static readonly AnswerOptions Options = new();

    private static ExtractiveAnswer Quoted(double confidence) =>
        new("lead", [new Citation(1, "doc1", "Title", null, null, Languages.English, "A sentence.", 0, 11, 0.5)], 0.5) { Confidence = confidence };

    [Fact]
    public void Decide_ConfidenceAgainstTheTwoThresholds_AnsweredPartialOrNotFound()
    {
        Assert.Equal(AnswerModes.Extractive, ExtractiveOutcome.Decide(Quoted(Options.ExtractiveAnswerEvidence), 0, Options).Mode);
        var between = (Options.ExtractivePartialEvidence + Options.ExtractiveAnswerEvidence) / 2;
        Assert.Equal(AnswerModes.Partial, ExtractiveOutcome.Decide(Quoted(between), 0, Options).Mode);
        Assert.Equal(AnswerModes.Abstained, ExtractiveOutcome.Decide(Quoted(Options.ExtractivePartialEvidence / 2), 0, Options).Mode);
    }

    [Fact]
    public void Decide_PassageEvidenceAtTheAbstentionThreshold_AnswersOnlyWithSomethingToQuote()
    {
        var nothingQuoted = new ExtractiveAnswer("lead", [], 0) { Confidence = 0 };

        Assert.Equal(AnswerModes.Extractive, ExtractiveOutcome.Decide(Quoted(0), Options.AbstainBelow, Options).Mode);
        Assert.Equal(AnswerModes.Partial, ExtractiveOutcome.Decide(nothingQuoted, Options.AbstainBelow, Options).Mode);
    }
}
