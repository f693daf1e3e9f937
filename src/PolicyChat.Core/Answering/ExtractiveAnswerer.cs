using System.Text;
using PolicyChat.Core.Answering.Citations;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering;

public sealed record ExtractiveAnswer(string Text, IReadOnlyList<Citation> Citations);

/// <summary>
/// The answer when no model is available: the sentences of the top passages that cover the question best
/// (IDF-weighted term coverage), quoted verbatim with their markers under a short lead in the question's language
/// (which says so when the quotes are all in another language: nothing is translated without a model).
/// </summary>
public sealed class ExtractiveAnswerer(TextAnalyzer analyzer, CitationVerifier verifier)
{
    private const int MaxSentencesPerPassage = 2;
    private const int MinSentenceChars = 25;

    public ExtractiveAnswer Answer(string question, string language, IReadOnlyList<Passage> passages, TermStatistics stats, int sentences)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(stats);
        var queryTerms = analyzer.Terms(question).Distinct(StringComparer.Ordinal).ToList();
        var total = queryTerms.Sum(stats.Idf);
        var candidates = new List<(Passage Passage, TextRange Range, double Coverage, double Score)>();
        foreach (var passage in passages)
        {
            foreach (var range in SentenceBoundaries.Split(passage.Text))
            {
                if (range.Length < MinSentenceChars)
                {
                    continue;
                }
                var terms = new HashSet<string>(analyzer.Terms(passage.Text[range.Start..range.End]), StringComparer.Ordinal);
                var coverage = total > 0 ? queryTerms.Where(terms.Contains).Sum(stats.Idf) / total : 0;
                // Earlier passages rank better; a small prior keeps retrieval order among equally covering sentences.
                candidates.Add((passage, range, coverage, coverage + (0.01 / passage.Number)));
            }
        }
        // A sentence that shares no term with the question is noise; when none shares one, the best-ranked one stands.
        var covering = candidates.Where(c => c.Coverage > 0).ToList();
        var chosen = (covering.Count > 0 ? covering : candidates.OrderByDescending(c => c.Score).Take(1))
            .OrderByDescending(c => c.Score)
            .GroupBy(c => c.Passage.Number)
            .SelectMany(g => g.Take(MaxSentencesPerPassage))
            .OrderByDescending(c => c.Score)
            .Take(sentences)
            .ToList();

        // Without a model nothing is translated: when every quote is in another language, the lead says so.
        var sourceLanguages = chosen.Select(c => c.Passage.Language).Distinct(StringComparer.Ordinal).ToList();
        var lead = sourceLanguages.Count == 1 && sourceLanguages[0] != language && sourceLanguages[0] != Languages.Other
            ? AnswerText.ExtractiveLeadInSourceLanguage(language, sourceLanguages[0])
            : AnswerText.ExtractiveLead(language);
        var sb = new StringBuilder(lead).Append('\n');
        var citations = new List<Citation>();
        foreach (var (passage, range, _, _) in chosen)
        {
            var sentence = Displayed(passage.Text[range.Start..range.End]);
            if (sentence.Length == 0)
            {
                continue;
            }
            var support = verifier.Verify(sentence, passage);
            sb.Append("\n- ").Append(sentence).Append(" [").Append(passage.Number).Append(']');
            citations.Add(new Citation(passage.Number, passage.DocumentId, passage.Title, passage.Outlet, passage.Date, passage.Language,
                support.Quote, support.Start, support.End, Math.Round(support.Score, 3)) { Page = passage.Page });
        }
        return new ExtractiveAnswer(sb.ToString(), citations);
    }

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
