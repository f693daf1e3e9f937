using System.Diagnostics;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Evaluation;

/// <summary>One question run through the whole answer pipeline: its outcome and whether the quotes hold the gold answer.</summary>
public sealed record SquadAnswerOutcome(
    string Id,
    string Question,
    string Mode,
    bool Contains,
    bool FirstContains,
    int Sentences,
    double Evidence,
    double? Support,
    double? Coverage,
    double? PassageEvidence,
    bool GoldPassageFirst,
    double Ms)
{
    /// <summary>The quoted sentences as the citations hold them (empty when refused or partial).</summary>
    public IReadOnlyList<string> Quotes { get; init; } = [];

    /// <summary>The gold answer texts.</summary>
    public IReadOnlyList<string> Gold { get; init; } = [];
}

/// <summary>What the answer pipeline does with a set of questions (see <see cref="SquadAnswerEvaluator"/>).</summary>
public sealed record SquadAnswerMetrics(
    int Questions,
    double AnswerContainment,
    double FirstSentenceContainment,
    double SentencesPerAnswer,
    double FalseAbstention,
    double Partial,
    double Answered,
    double P50Ms,
    double P95Ms,
    IReadOnlyList<SquadAnswerOutcome> Outcomes);

/// <summary>
/// Answer quality at scale: every question of a SQuAD-format set is asked through <see cref="AnswerService"/> (retrieval,
/// abstention, sentence selection) against a collection already holding the set's passages. A question counts as
/// contained when one of its gold answer texts, normalized by the analyzer (no stemming, white space collapsed), occurs
/// inside the quoted sentences (the citations' quotes); a refused or partial answer contains nothing.
/// <see cref="RunNegativesAsync"/> asks questions the collection cannot answer: they should never be answered.
/// </summary>
public sealed class SquadAnswerEvaluator(AnswerService answers, TextAnalyzer analyzer)
{
    public async Task<SquadAnswerMetrics> RunAsync(SquadDataset dataset, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var outcomes = new List<SquadAnswerOutcome>(dataset.Questions.Count);
        foreach (var question in dataset.Questions)
        {
            outcomes.Add(await AskAsync(question, SquadEvaluator.PassageId(question.PassageIndex), cancellationToken));
            progress?.Report(outcomes.Count);
        }
        return Summarize(outcomes);
    }

    /// <summary>Asks questions the collection does not answer (gold answers and passages ignored).</summary>
    public async Task<SquadAnswerMetrics> RunNegativesAsync(IEnumerable<string> questions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var outcomes = new List<SquadAnswerOutcome>();
        var i = 0;
        foreach (var question in questions)
        {
            outcomes.Add(await AskAsync(new SquadQuestion("n" + i++, question, -1), null, cancellationToken));
        }
        return Summarize(outcomes);
    }

    private async Task<SquadAnswerOutcome> AskAsync(SquadQuestion question, string? goldPassageId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = await answers.AskAsync(new AskRequest(question.Text), cancellationToken);
        var ms = clock.Elapsed.TotalMilliseconds;
        var quoting = result.Mode is AnswerModes.Extractive or AnswerModes.Llm;
        var quoted = quoting ? result.Citations.Select(c => c.Quote).ToList() : [];
        var quotes = quoted.Select(Normalized).ToList();
        var gold = question.Answers.Select(Normalized).Where(a => a.Length > 0).ToList();
        var contains = quotes.Any(q => gold.Any(a => q.Contains(a, StringComparison.Ordinal)));
        var first = quotes.Count > 0 && gold.Any(a => quotes[0].Contains(a, StringComparison.Ordinal));
        var goldFirst = goldPassageId is not null && result.Passages.Count > 0 && result.Passages[0].DocumentId == goldPassageId;
        return new SquadAnswerOutcome(question.Id, question.Text, result.Mode, contains, first, quotes.Count, result.Evidence.Score,
            result.Evidence.Support, result.Evidence.Coverage, result.Evidence.Passage, goldFirst, ms)
        {
            Quotes = quoted,
            Gold = question.Answers,
        };
    }

    /// <summary>The analyzer's normalization (no stemming) with white space collapsed to single spaces.</summary>
    public string Normalized(string text) =>
        string.Join(' ', analyzer.Normalize(text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static SquadAnswerMetrics Summarize(IReadOnlyList<SquadAnswerOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var n = outcomes.Count;
        double Share(Func<SquadAnswerOutcome, bool> predicate) => n == 0 ? 0 : outcomes.Count(predicate) / (double)n;
        var answered = outcomes.Where(o => o.Mode is AnswerModes.Extractive or AnswerModes.Llm).ToList();
        var latencies = outcomes.Select(o => o.Ms).ToList();
        return new SquadAnswerMetrics(
            n,
            Share(o => o.Contains),
            Share(o => o.FirstContains),
            answered.Count == 0 ? 0 : answered.Average(o => o.Sentences),
            Share(o => o.Mode == AnswerModes.Abstained),
            Share(o => o.Mode == AnswerModes.Partial),
            answered.Count / (double)Math.Max(1, n),
            RetrievalMetrics.Percentile(latencies, 0.50),
            RetrievalMetrics.Percentile(latencies, 0.95),
            outcomes);
    }
}
