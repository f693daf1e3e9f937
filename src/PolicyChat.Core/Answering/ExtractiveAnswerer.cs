using System.Text;
using PolicyChat.Core.Answering.Citations;
using PolicyChat.Core.Answering.Extractive;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

/// <summary>
/// An extractive answer: the text shown, its citations, the best quoted sentence's support (how well it answers the
/// question, 0–1) and the kind of answer the question asks for.
/// </summary>
public sealed record ExtractiveAnswer(string Text, IReadOnlyList<Citation> Citations, double Support = 0, AnswerKind Kind = AnswerKind.Any)
{
    /// <summary>The best of the top passages' coverage of the question (word and n-gram credit, IDF-weighted).</summary>
    public double Coverage { get; init; }

    /// <summary>
    /// How sure the quotes answer the question, 0–1: coverage and support blended, times the length prior n / (n + k)
    /// (<see cref="ExtractiveScoring.ConfidenceCoverageWeight"/>, <see cref="ExtractiveScoring.ConfidencePrior"/>).
    /// The service answers, answers partially or says nothing was found by comparing it with two thresholds.
    /// </summary>
    public double Confidence { get; init; }
}

/// <summary>
/// The answer when no model is available: the passage sentences that answer the question (<see cref="SentenceScorer"/>),
/// quoted verbatim with their markers and exact document offsets under a short lead in the question's language (which says
/// so when the quotes are all in another language: nothing is translated without a model). The best sentence is always
/// quoted; a further one only when it scores close to the best and adds something the quoted ones lack (question words
/// not yet covered, or the kind of answer asked for). Each citation's support is its sentence's score against the question,
/// so it can be low. <see cref="Partial"/> renders the answer for evidence too weak to quote as an answer.
/// </summary>
public sealed class ExtractiveAnswerer(TextAnalyzer analyzer, ExtractiveScoring? scoring = null)
{
    /// <summary>Passages whose coverage counts as evidence (as <see cref="Retrieval.EvidenceScorer.TopPassages"/>).</summary>
    public const int TopPassages = 3;

    private readonly SentenceScorer _scorer = new(analyzer, scoring);

    public ExtractiveAnswer Answer(string question, string language, IReadOnlyList<Passage> passages, TermStatistics stats, int sentences)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(stats);
        var chosen = Select(question, passages, stats, Math.Max(1, sentences), out var kind, out var coverage);

        // Without a model nothing is translated: when every quote is in another language, the lead says so.
        var sourceLanguages = chosen.Select(c => c.Passage.Language).Distinct(StringComparer.Ordinal).ToList();
        var lead = sourceLanguages.Count == 1 && sourceLanguages[0] != language && sourceLanguages[0] != Languages.Other
            ? AnswerText.ExtractiveLeadInSourceLanguage(language, sourceLanguages[0])
            : AnswerText.ExtractiveLead(language);
        var sb = new StringBuilder(lead).Append('\n');
        var citations = new List<Citation>();
        foreach (var c in chosen)
        {
            var displayed = Displayed(c.Text);
            if (displayed.Length == 0)
            {
                continue;
            }
            var passage = c.Passage;
            sb.Append("\n- ").Append(displayed).Append(" [").Append(passage.Number).Append(']');
            citations.Add(new Citation(passage.Number, passage.DocumentId, passage.Title, passage.Outlet, passage.Date, passage.Language,
                c.Text, passage.Start + c.Range.Start, passage.Start + c.Range.End, Math.Round(c.Support, 3)) { Page = passage.Page });
        }
        var support = chosen.Count > 0 ? chosen[0].Support : 0;
        return new ExtractiveAnswer(sb.ToString(), citations, support, kind)
        {
            Coverage = coverage,
            Confidence = Confidence(coverage, support, analyzer.Terms(question).Distinct(StringComparer.Ordinal).Count(), _scorer.Scoring),
        };
    }

    /// <summary>(w·coverage + (1 − w)·support) · n / (n + k) for a question of <paramref name="words"/> content words.</summary>
    public static double Confidence(double coverage, double support, int words, ExtractiveScoring scoring)
    {
        ArgumentNullException.ThrowIfNull(scoring);
        var blended = (scoring.ConfidenceCoverageWeight * coverage) + ((1 - scoring.ConfidenceCoverageWeight) * support);
        return words <= 0 ? 0 : blended * words / (words + scoring.ConfidencePrior);
    }

    /// <summary>
    /// The sentences to quote, best first: the best-scoring sentence, then further ones while they score at least
    /// <see cref="ExtractiveScoring.NextScoreRatio"/> of it (<see cref="ExtractiveScoring.NextGainScoreRatio"/> when they hold
    /// question words the quoted ones lack; a neighbour of the best sentence with <see cref="ExtractiveScoring.AdjacentBonus"/>
    /// added) and add a share of the question (or the asked-for kind) the
    /// quoted ones lack. A sentence whose normalized text was already chosen (a twin passage) is skipped.
    /// </summary>
    public IReadOnlyList<ScoredSentence> Select(string question, IReadOnlyList<Passage> passages, TermStatistics stats, int max, out AnswerKind kind,
        out double coverage)
    {
        var scoring = _scorer.Scoring;
        var ranked = _scorer.Score(question, passages, stats, out kind).OrderByDescending(s => s.Score).ToList();
        coverage = ranked.Where(s => s.Passage.Number <= TopPassages).Select(s => s.PassageCoverage).DefaultIfEmpty(0).Max();
        if (ranked.Count == 0)
        {
            return [];
        }
        var weights = analyzer.Terms(question).Distinct(StringComparer.Ordinal).ToDictionary(t => t, stats.Idf, StringComparer.Ordinal);
        var total = weights.Values.Sum();
        var best = ranked[0];
        var chosen = new List<ScoredSentence> { best };
        var seen = new HashSet<string>(StringComparer.Ordinal) { analyzer.Normalize(best.Text) };
        var covered = new HashSet<string>(best.Covered, StringComparer.Ordinal);
        var kindHeld = best.HoldsAnswerKind == true;
        var lowestRatio = Math.Min(scoring.NextScoreRatio, scoring.NextGainScoreRatio);
        foreach (var candidate in ranked.Skip(1))
        {
            if (chosen.Count >= max || candidate.Score + scoring.AdjacentBonus < lowestRatio * best.Score)
            {
                break;
            }
            // A neighbour of a best sentence that answers something; with no question word matched anywhere, nothing is near an answer.
            var adjacent = best.Support > 0 && candidate.Passage.Number == best.Passage.Number && Math.Abs(candidate.Index - best.Index) == 1;
            var gain = total > 0 ? candidate.Covered.Where(t => !covered.Contains(t)).Sum(t => weights.GetValueOrDefault(t)) / total : 0;
            var ratio = gain > 0 ? scoring.NextGainScoreRatio : scoring.NextScoreRatio;
            if (candidate.Score + (adjacent ? scoring.AdjacentBonus : 0) < ratio * best.Score)
            {
                continue;
            }
            if ((!adjacent && candidate.Support < Math.Max(scoring.NextMinSupport, double.Epsilon)) || !seen.Add(analyzer.Normalize(candidate.Text)))
            {
                continue;
            }
            var addsKind = kind != AnswerKind.Any && !kindHeld && candidate.HoldsAnswerKind == true;
            if (gain < scoring.NextMinGain && !addsKind)
            {
                continue;
            }
            chosen.Add(candidate);
            covered.UnionWith(candidate.Covered);
            kindHeld |= candidate.HoldsAnswerKind == true;
        }
        return chosen;
    }

    /// <summary>
    /// The answer when the collection does not answer the question directly: one sentence in the question's language
    /// that says so and points to the closest passages (the sources); nothing is quoted as a claim.
    /// </summary>
    public static string Partial(string language) => AnswerText.PartialLead(language);

    /// <summary>
    /// A quoted sentence as the answer shows it: on one line, without the source's own bracketed reference numbers
    /// (which would read as markers pointing at our passages) and without a list bullet of its own (the answer adds one).
    /// The citation's quote keeps the document's exact text.
    /// </summary>
    internal static string Displayed(string sentence)
    {
        var text = CitationMarkerParser.Rewrite(sentence, _ => null).ReplaceLineEndings(" ").Trim();
        while (text.Length > 1 && text[0] is '-' or '*' or '•' or '–' or '—' or '·' && char.IsWhiteSpace(text[1]))
        {
            text = text[1..].TrimStart();
        }
        return text;
    }
}
