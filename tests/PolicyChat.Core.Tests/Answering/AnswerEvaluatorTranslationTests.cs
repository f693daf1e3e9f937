using Microsoft.Extensions.DependencyInjection;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Evaluation;

namespace PolicyChat.Core.Tests.Answering;

/// <summary>How the gold evaluation judges questions that need translation when no model runs.</summary>
public sealed class AnswerEvaluatorTranslationTests(CorpusIndexFixture corpus) : IClassFixture<CorpusIndexFixture>
{
    [Fact]
    public async Task RunAsync_WithoutModel_RefusedQuestionNeedingTranslationIsRightOnlyAsTheGoldSetExpects()
    {
        await using var services = corpus.CreateServices();
        var answers = services.GetRequiredService<AnswerService>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal) { [CorpusIndexFixture.EnglishFile] = corpus.IdOf(CorpusIndexFixture.EnglishFile) };
        // An Arabic question about the English document: no word is shared, so without a model it is refused or partial.
        var question = new GoldQuestion("cross", GoldQuestion.CrossLingual, "كم فريقًا بحثيًا تدعمه منشأة علوم البروتين الوطنية في شنغهاي؟", true,
            [CorpusIndexFixture.EnglishFile], RequiresTranslation: true);
        var same = question with { Id = "same", RequiresTranslation = false };

        var evaluation = await new AnswerEvaluator(answers, ids).RunAsync(new AnswerGoldSet(null, "..", [question, same]));

        Assert.False(answers.HasModel);
        Assert.All(evaluation.Outcomes, o => Assert.NotEqual(AnswerModes.Extractive, o.Mode));
        var cross = Assert.Single(evaluation.Outcomes, o => o.Id == "cross");
        Assert.True(cross.AbstentionCorrect);
        Assert.False(cross.AbstentionCorrectWithTranslation);
        Assert.False(Assert.Single(evaluation.Outcomes, o => o.Id == "same").AbstentionCorrect);
        Assert.Equal(0.5, evaluation.AbstentionAccuracy);
        Assert.Equal(0, evaluation.AbstentionAccuracyWithTranslation);
    }
}
