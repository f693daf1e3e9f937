using PolicyChat.Core.Answering;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Evaluation;

public sealed record GoldOutcome(string Id, string Kind, string Mode, bool? RetrievalHit, bool AbstentionCorrect, int Citations,
    int ValidCitations, bool LanguageCorrect, double PreparationMs, double Evidence, bool RequiresTranslation)
{
    /// <summary>The outcome judged as if the service could translate: every answerable question must be answered.</summary>
    public bool AbstentionCorrectWithTranslation { get; init; }
}

public sealed record AnswerEvaluation(
    int Questions,
    double RetrievalHitRate,
    double SameLanguageHitRate,
    double CrossLingualHitRate,
    double FollowUpHitRate,
    double AbstentionAccuracy,
    double AbstentionAccuracyWithoutTranslation,
    double CitationValidity,
    int CitationsEmitted,
    double AnswerLanguageAccuracy,
    double PreparationP50Ms,
    IReadOnlyDictionary<string, int> Modes,
    IReadOnlyList<GoldOutcome> Outcomes)
{
    /// <summary>Questions the collection does not answer (`--negatives`), when asked.</summary>
    public NegativeSummary? Negatives { get; init; }

    /// <summary>
    /// Abstention accuracy judged as if the service could translate (<see cref="GoldOutcome.AbstentionCorrectWithTranslation"/>):
    /// equal to <see cref="AbstentionAccuracy"/> with a model; without one, questions that need translation count as misses
    /// unless they are answered.
    /// </summary>
    public double AbstentionAccuracyWithTranslation { get; init; }
}

/// <summary>
/// Questions the collection does not answer: shares refused, partial and answered; <see cref="NegativeAbstention"/> is
/// refused + partial (no claim made) and should be 1.
/// </summary>
public sealed record NegativeSummary(int Questions, double Refused, double Partial, double Answered, double NegativeAbstention)
{
    public static NegativeSummary From(SquadAnswerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new NegativeSummary(metrics.Questions, metrics.FalseAbstention, metrics.Partial, metrics.Answered, 1 - metrics.Answered);
    }
}

/// <summary>
/// Runs a gold set through the answer service and scores: top-3 retrieval hit rate (expected document among the
/// first three passages), abstention accuracy (answerable → answered, unanswerable → abstained or partial; without a model,
/// a question the gold set marks `requires_translation` is expected to be refused or partial, as the set documents, and an
/// answer to it counts only when it comes from an expected document), citation validity
/// (a marker names a passage of the same document and its support reaches the threshold) and answer language.
/// </summary>
public sealed class AnswerEvaluator(AnswerService answers, IReadOnlyDictionary<string, string> documentIdsByFileName)
{
    public const int TopPassages = 3;

    public async Task<AnswerEvaluation> RunAsync(AnswerGoldSet gold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gold);
        var outcomes = new List<GoldOutcome>();
        foreach (var q in gold.Questions)
        {
            string? conversation = null;
            foreach (var previous in q.History ?? [])
            {
                conversation = (await answers.AskAsync(new AskRequest(previous, conversation), cancellationToken)).ConversationId;
            }
            var result = await answers.AskAsync(new AskRequest(q.Question, conversation), cancellationToken);
            outcomes.Add(Score(q, result));
        }
        return Summarize(outcomes);
    }

    internal GoldOutcome Score(GoldQuestion q, AnswerResult result)
    {
        bool? hit = null;
        if (q.Answerable)
        {
            var expected = (q.ExpectedDocuments ?? []).Select(f => documentIdsByFileName.TryGetValue(f, out var id) ? id : f).ToHashSet(StringComparer.Ordinal);
            hit = result.Passages.Take(TopPassages).Any(p => expected.Contains(p.DocumentId));
        }
        // A partial answer makes no claim: for an unanswerable question it is as right as a refusal; for an answerable one it is a miss.
        var abstained = result.Mode is AnswerModes.Abstained or AnswerModes.Partial;
        var valid = result.Citations.Count(c => IsValid(c, result));
        var expectedLanguage = AnswerService.AnswerLanguage(q.Question);
        var languageCorrect = LanguageDetector.Detect(result.Answer) == expectedLanguage;
        // Without a model nothing is translated: the gold set expects these questions refused or partial; an answer that a
        // shared Latin-script name found is right only when it comes from an expected document.
        var correct = q.RequiresTranslation && q.Answerable && !answers.HasModel
            ? abstained || hit == true
            : q.Answerable != abstained;
        return new GoldOutcome(q.Id, q.Kind, result.Mode, hit, correct, result.Citations.Count, valid, languageCorrect,
            result.Timings.PreparationMs, result.Evidence.Score, q.RequiresTranslation)
        {
            AbstentionCorrectWithTranslation = q.Answerable != abstained,
        };
    }

    /// <summary>
    /// A citation is valid when its marker names a passage of the same document and its quote is that passage's text at
    /// the quoted offsets. A model's citation must also reach the support threshold (the quote supports the claim); an
    /// extractive citation IS the claim (a verbatim quote), and its support says how well it answers the question.
    /// </summary>
    internal bool IsValid(Citation c, AnswerResult result)
    {
        if (c.Marker < 1 || c.Marker > result.Passages.Count)
        {
            return false;
        }
        var passage = result.Passages[c.Marker - 1];
        var quoteInPassage = c.Start >= passage.Start && c.End <= passage.End && c.Start <= c.End
            && string.Equals(passage.Text[(c.Start - passage.Start)..(c.End - passage.Start)], c.Quote, StringComparison.Ordinal);
        return passage.DocumentId == c.DocumentId && quoteInPassage
            && (result.Mode == AnswerModes.Extractive || c.Support >= answers.Options.CitationSupportThreshold);
    }

    private static AnswerEvaluation Summarize(List<GoldOutcome> outcomes)
    {
        static double Rate(IEnumerable<bool> values)
        {
            var list = values.ToList();
            return list.Count == 0 ? 0 : list.Count(v => v) / (double)list.Count;
        }
        double HitRate(string? kind) => Rate(outcomes.Where(o => o.RetrievalHit is not null && (kind is null || o.Kind == kind)).Select(o => o.RetrievalHit!.Value));
        var emitted = outcomes.Sum(o => o.Citations);
        return new AnswerEvaluation(
            outcomes.Count,
            HitRate(null),
            HitRate(GoldQuestion.SameLanguage),
            HitRate(GoldQuestion.CrossLingual),
            HitRate(GoldQuestion.FollowUp),
            Rate(outcomes.Select(o => o.AbstentionCorrect)),
            Rate(outcomes.Where(o => !o.RequiresTranslation).Select(o => o.AbstentionCorrect)),
            emitted == 0 ? 1 : outcomes.Sum(o => o.ValidCitations) / (double)emitted,
            emitted,
            Rate(outcomes.Select(o => o.LanguageCorrect)),
            RetrievalMetrics.Percentile(outcomes.Select(o => o.PreparationMs).ToList(), 0.5),
            outcomes.GroupBy(o => o.Mode).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            outcomes)
        {
            AbstentionAccuracyWithTranslation = Rate(outcomes.Select(o => o.AbstentionCorrectWithTranslation)),
        };
    }
}
