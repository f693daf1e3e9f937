using PolicyChat.Core.Answering;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Evaluation;

public sealed class SquadAnswerEvaluatorTests
{
    private static SquadAnswerOutcome Outcome(string mode, bool contains, bool first, int sentences, double ms) =>
        new("id", "q", mode, contains, first, sentences, 0.5, 0.5, 0.5, 0.5, true, ms);

    [Fact]
    public void Summarize_CountsContainmentOverAllQuestionsAndSentencesOverAnsweredOnes()
    {
        var metrics = SquadAnswerEvaluator.Summarize(
        [
            Outcome(AnswerModes.Extractive, contains: true, first: true, sentences: 1, ms: 1),
            Outcome(AnswerModes.Extractive, contains: true, first: false, sentences: 3, ms: 2),
            Outcome(AnswerModes.Partial, contains: false, first: false, sentences: 0, ms: 3),
            Outcome(AnswerModes.Abstained, contains: false, first: false, sentences: 0, ms: 4),
        ]);

        Assert.Equal(0.5, metrics.AnswerContainment);
        Assert.Equal(0.25, metrics.FirstSentenceContainment);
        Assert.Equal(2.0, metrics.SentencesPerAnswer);
        Assert.Equal(0.25, metrics.FalseAbstention);
        Assert.Equal(0.25, metrics.Partial);
        Assert.Equal(0.5, metrics.Answered);
        Assert.Equal(2, metrics.P50Ms);
        Assert.Equal(0.5, NegativeSummary.From(metrics).NegativeAbstention);
    }

    [Fact]
    public void Normalized_FoldsDiacriticsLetterFormsCaseAndSpaces()
    {
        var evaluator = new SquadAnswerEvaluator(null!, TextAnalyzer.Default);

        Assert.Equal(evaluator.Normalized("ألفٌ  وإحدى   عشرة"), evaluator.Normalized("الف واحدي عشره"));
        Assert.Equal("the broncos", evaluator.Normalized(" The\nBroncos "));
    }
}
