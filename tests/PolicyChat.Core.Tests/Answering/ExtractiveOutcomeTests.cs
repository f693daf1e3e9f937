using PolicyChat.Core.Answering;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>Answered, partial or not found without a model, and the lower thresholds for questions whose every word the collection uses.</summary>
public sealed class ExtractiveOutcomeTests
{
    private static readonly AnswerOptions Options = new();

    private static ExtractiveAnswer Quoted(double confidence, bool allWordsKnown) =>
        new("lead", [new Citation(1, "doc1", "Title", null, null, Languages.English, "A sentence.", 0, 11, 0.5)], 0.5)
        {
            Confidence = confidence,
            AllWordsKnown = allWordsKnown,
        };

    [Fact]
    public void Decide_ConfidenceBetweenTheTwoAnswerThresholds_AnsweredOnlyWhenEveryWordIsKnown()
    {
        var confidence = (Options.ExtractiveAnswerEvidenceKnownWords + Options.ExtractiveAnswerEvidence) / 2;

        Assert.Equal(AnswerModes.Extractive, ExtractiveOutcome.Decide(Quoted(confidence, allWordsKnown: true), 0, Options).Mode);
        Assert.Equal(AnswerModes.Partial, ExtractiveOutcome.Decide(Quoted(confidence, allWordsKnown: false), 0, Options).Mode);
    }

    [Fact]
    public void Decide_PassageEvidenceBetweenTheTwoPassageThresholds_AnsweredOnlyWhenEveryWordIsKnown()
    {
        var evidence = (Options.ExtractivePassageEvidenceKnownWords + Options.ExtractivePassageEvidence) / 2;

        Assert.Equal(AnswerModes.Extractive, ExtractiveOutcome.Decide(Quoted(0, allWordsKnown: true), evidence, Options).Mode);
        Assert.Equal(AnswerModes.Abstained, ExtractiveOutcome.Decide(Quoted(0, allWordsKnown: false), Math.Min(evidence, Options.AbstainBelow - 0.01), Options).Mode);
    }

    [Fact]
    public void Decide_BelowThePartialThreshold_NothingFound()
    {
        var outcome = ExtractiveOutcome.Decide(Quoted(Options.ExtractivePartialEvidence / 2, allWordsKnown: true), 0, Options);

        Assert.Equal(AnswerModes.Abstained, outcome.Mode);
        Assert.Equal(Options.ExtractiveAnswerEvidenceKnownWords, outcome.Evidence.AnswerThreshold);
    }

    [Fact]
    public void Answer_AllWordsKnown_OnlyWhenTheCollectionUsesEveryContentWord()
    {
        var analyzer = TextAnalyzer.Default;
        var passage = new Passage(1, "doc1", "Title", null, null, Languages.English, "The facility supports 2,500 research teams.", 0, 43, 1);
        const string question = "How many research teams does the facility support?";
        var terms = analyzer.Terms(question).Distinct(StringComparer.Ordinal).ToList();
        var all = new TermStatistics(10, terms.ToDictionary(t => t, _ => 1, StringComparer.Ordinal));
        var missing = new TermStatistics(10, terms.Skip(1).ToDictionary(t => t, _ => 1, StringComparer.Ordinal));
        var answerer = new ExtractiveAnswerer(analyzer);

        Assert.True(answerer.Answer(question, Languages.English, [passage], all, 3).AllWordsKnown);
        Assert.False(answerer.Answer(question, Languages.English, [passage], missing, 3).AllWordsKnown);
        Assert.False(answerer.Answer(question, Languages.English, [passage], TermStatistics.Empty, 3).AllWordsKnown);
    }
}
