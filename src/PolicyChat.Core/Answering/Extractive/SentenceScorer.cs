using PolicyChat.Core.Chunking;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Answering.Extractive;

/// <summary>A passage sentence scored against a question. <see cref="Range"/> is relative to the passage text.</summary>
public sealed record ScoredSentence(
    Passage Passage,
    TextRange Range,
    double Support,
    double Score,
    bool? HoldsAnswerKind,
    IReadOnlySet<string> Covered,
    double PassageCoverage = 0)
{
    /// <summary>The sentence's index in its passage.</summary>
    public int Index { get; init; }

    /// <summary>Proximity of the matched question words (0–1).</summary>
    public double Proximity { get; init; }

    /// <summary>The better neighbouring sentence's coverage of the question.</summary>
    public double Neighbour { get; init; }

    public string Text => Passage.Text[Range.Start..Range.End];
}

/// <summary>
/// Scores every quotable sentence of the passages against a question. Support is the IDF-weighted share of the question's
/// content words the sentence holds: a word counts fully when its stem occurs (the word leg of the index) and partly when
/// most of its character n-grams occur (the n-gram leg: "تكوينها" / "تكوين", "founded" / "foundation"), and nearly fully
/// when an Arabic word meets it only without the clitics the index keeps (<see cref="ArabicMatchStemmer"/>: "كمستشار" /
/// "مستشاره"). An Arabic word whose stem has one or two letters weighs less (أنه → ان, رأى → را: many words share it). The ranking
/// score adds the passage's own coverage, the proximity of the matched words, whether the sentence holds the kind of
/// answer the question asks for (<see cref="AnswerType"/>), its neighbours' coverage, the passage's rank and the
/// sentence's position. Headlines, headings and datelines (<see cref="HeadingFilter"/>) are not candidates.
/// </summary>
public sealed class SentenceScorer(TextAnalyzer analyzer, ExtractiveScoring? scoring = null)
{
    private readonly ExtractiveScoring _scoring = scoring ?? new ExtractiveScoring();

    public ExtractiveScoring Scoring => _scoring;

    /// <summary>A content word of the question: its stem, its character n-grams, its Arabic match stem (or null) and its weight.</summary>
    private sealed record QuestionWord(string Term, string[] NGrams, string? MatchStem, double Weight)
    {
        /// <summary>The word asks for the author or names the text (<see cref="AnswerType.AsksAboutTheText"/>).</summary>
        public bool AboutTheText { get; init; }
    }

    public IReadOnlyList<ScoredSentence> Score(string question, IReadOnlyList<Passage> passages, TermStatistics stats, out AnswerKind kind)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(stats);
        kind = AnswerType.Of(question, analyzer);
        var words = QuestionWords(question, stats);
        var questionWords = new HashSet<string>(AnswerType.Words(question, analyzer), StringComparer.Ordinal);
        var total = words.Sum(w => w.Weight);
        var asksForAuthor = AnswerType.AsksForAuthor(kind, questionWords);
        var result = new List<ScoredSentence>();
        var matchStemCache = new Dictionary<string, string>(StringComparer.Ordinal);
        var subjectCoverage = asksForAuthor ? SubjectCoverage(words, passages, matchStemCache) : null;
        foreach (var passage in passages)
        {
            var ranges = SentenceBoundaries.Split(passage.Text);
            var passageText = passage.Text;
            var passageTokens = analyzer.Tokenize(passageText);
            var passageMatch = Match(words, new HashSet<string>(passageTokens.Where(t => !t.IsStopWord).Select(t => t.Term), StringComparer.Ordinal),
                new Lazy<HashSet<string>>(() => new HashSet<string>(analyzer.CharNGrams(passageText), StringComparer.Ordinal)),
                new Lazy<HashSet<string>>(() => MatchStems(passageText, passageTokens, matchStemCache)));
            var passageCoverage = total > 0 ? passageMatch.Credit / total : 0;
            var sentences = new List<(TextRange Range, double Coverage, double Proximity, bool? Holds, HashSet<string> Covered, bool Heading)>(ranges.Count);
            foreach (var range in ranges)
            {
                var text = passage.Text[range.Start..range.End];
                var tokens = analyzer.Tokenize(text);
                var terms = new HashSet<string>(tokens.Where(t => !t.IsStopWord).Select(t => t.Term), StringComparer.Ordinal);
                if (terms.Count == 0 || HeadingFilter.IsHeading(passage.Text, range, passage.Title, analyzer.Normalize))
                {
                    sentences.Add((range, 0, 0, null, [], true));
                    continue;
                }
                var match = Match(words, terms, new Lazy<HashSet<string>>(() => new HashSet<string>(analyzer.CharNGrams(text), StringComparer.Ordinal)),
                    new Lazy<HashSet<string>>(() => MatchStems(text, tokens, matchStemCache)));
                var coverage = total > 0 ? match.Credit / total : 0;
                var holds = AnswerType.Holds(kind, text, questionWords, analyzer);
                if (subjectCoverage is not null && subjectCoverage[passage.DocumentId] is var subject && subject >= _scoring.BylineMinCoverage
                    && AnswerType.IsByline(text, analyzer))
                {
                    // A byline answers the who-part of "who wrote…"; the rest of the question must be its document's subject.
                    coverage = Math.Max(coverage, _scoring.BylineCredit + ((1 - _scoring.BylineCredit) * subject));
                    holds = true;
                }
                sentences.Add((range, coverage, Proximity(tokens, match.Exact), holds, match.Covered, false));
            }
            for (var i = 0; i < sentences.Count; i++)
            {
                var s = sentences[i];
                if (s.Heading)
                {
                    continue;
                }
                var neighbour = Math.Max(i > 0 ? sentences[i - 1].Coverage : 0, i + 1 < sentences.Count ? sentences[i + 1].Coverage : 0);
                var typeScore = s.Holds switch { true => _scoring.TypeBonus, false => -_scoring.TypePenalty, null => 0 };
                var score = s.Coverage
                    + (_scoring.PassageWeight * passageCoverage)
                    + (_scoring.ProximityWeight * s.Proximity)
                    + (s.Coverage > 0 ? typeScore + (_scoring.NeighbourWeight * neighbour) : 0)
                    + (_scoring.RankWeight / passage.Number)
                    + (_scoring.PositionWeight / (1 + i));
                result.Add(new ScoredSentence(passage, s.Range, Math.Round(s.Coverage, 4), score, s.Holds, s.Covered, passageCoverage)
                {
                    Index = i,
                    Proximity = s.Proximity,
                    Neighbour = neighbour,
                });
            }
        }
        return result;
    }

    private List<QuestionWord> QuestionWords(string question, TermStatistics stats)
    {
        var words = new List<QuestionWord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in analyzer.Tokenize(question))
        {
            if (token.IsStopWord || !seen.Add(token.Term))
            {
                continue;
            }
            var surface = question.Substring(token.Start, token.Length);
            var normalized = analyzer.Normalize(surface);
            var arabic = ArabicMatchStemmer.IsArabic(token.Term);
            var matchStem = arabic ? ArabicMatchStemmer.Stem(normalized) : null;
            words.Add(new QuestionWord(token.Term, analyzer.CharNGrams(surface).Distinct(StringComparer.Ordinal).ToArray(),
                matchStem is { Length: >= 3 } && matchStem != token.Term ? matchStem : null,
                stats.Idf(token.Term) * (arabic && token.Term.Length <= 2 ? _scoring.ShortStemWeight : 1))
            {
                AboutTheText = AnswerType.AsksAboutTheText(normalized),
            });
        }
        return words;
    }

    /// <summary>
    /// For a who-wrote question, per document: the share of the question's subject (its words other than those asking for
    /// the author or naming the text) that the document's title and retrieved passages hold. The byline is one line of
    /// the document; the subject is often spread over its title and other chunks.
    /// </summary>
    private Dictionary<string, double> SubjectCoverage(List<QuestionWord> words, IReadOnlyList<Passage> passages, Dictionary<string, string> matchStemCache)
    {
        var subject = words.Where(w => !w.AboutTheText).ToList();
        var total = subject.Sum(w => w.Weight);
        var coverage = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var document in passages.GroupBy(p => p.DocumentId, StringComparer.Ordinal))
        {
            var text = string.Join("\n", document.Select(p => p.Text).Prepend(document.First().Title));
            var tokens = analyzer.Tokenize(text);
            var match = Match(subject, new HashSet<string>(tokens.Where(t => !t.IsStopWord).Select(t => t.Term), StringComparer.Ordinal),
                new Lazy<HashSet<string>>(() => new HashSet<string>(analyzer.CharNGrams(text), StringComparer.Ordinal)),
                new Lazy<HashSet<string>>(() => MatchStems(text, tokens, matchStemCache)));
            coverage[document.Key] = total > 0 ? match.Credit / total : 0;
        }
        return coverage;
    }

    /// <summary>
    /// The match stems of the text's Arabic content words (<see cref="ArabicMatchStemmer"/> over their normalized
    /// forms); <paramref name="cache"/> maps a surface form to its stem for the passages of one question.
    /// </summary>
    private HashSet<string> MatchStems(string text, IReadOnlyList<AnalyzedToken> tokens, Dictionary<string, string> cache)
    {
        var stems = new HashSet<string>(StringComparer.Ordinal);
        var bySurface = cache.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var token in tokens)
        {
            if (token.IsStopWord || !ArabicMatchStemmer.IsArabic(token.Term))
            {
                continue;
            }
            var surface = text.AsSpan(token.Start, token.Length);
            if (!bySurface.TryGetValue(surface, out var stem))
            {
                var word = surface.ToString();
                stem = cache[word] = ArabicMatchStemmer.Stem(analyzer.Normalize(word));
            }
            stems.Add(stem);
        }
        return stems;
    }

    // The match stems and n-grams are built only when a question word is missing in its exact form.
    private (double Credit, HashSet<string> Exact, HashSet<string> Covered) Match(List<QuestionWord> words, HashSet<string> terms, Lazy<HashSet<string>> ngrams,
        Lazy<HashSet<string>> matchStems)
    {
        var credit = 0.0;
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            if (terms.Contains(word.Term))
            {
                credit += word.Weight;
                exact.Add(word.Term);
                covered.Add(word.Term);
                continue;
            }
            if (word.MatchStem is not null && matchStems.Value.Contains(word.MatchStem))
            {
                credit += word.Weight * _scoring.MatchStemCredit;
                covered.Add(word.Term);
                continue;
            }
            if (word.NGrams.Length == 0)
            {
                continue;
            }
            var share = word.NGrams.Count(ngrams.Value.Contains) / (double)word.NGrams.Length;
            if (share >= _scoring.NGramMinShare)
            {
                credit += word.Weight * _scoring.NGramCredit * share;
                covered.Add(word.Term);
            }
        }
        return (credit, exact, covered);
    }

    /// <summary>Distinct matched terms divided by the number of content tokens from the first to the last match (0 with fewer than two).</summary>
    private static double Proximity(IReadOnlyList<AnalyzedToken> tokens, HashSet<string> matched)
    {
        if (matched.Count < 2)
        {
            return 0;
        }
        var positions = new List<int>();
        var index = 0;
        foreach (var token in tokens)
        {
            if (token.IsStopWord)
            {
                continue;
            }
            if (matched.Contains(token.Term))
            {
                positions.Add(index);
            }
            index++;
        }
        var span = positions[^1] - positions[0] + 1;
        return Math.Min(1, matched.Count / (double)span);
    }
}
