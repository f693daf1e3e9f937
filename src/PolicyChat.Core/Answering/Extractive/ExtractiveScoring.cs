namespace PolicyChat.Core.Answering.Extractive;

/// <summary>
/// Weights of the extractive sentence score and the rule that stops adding sentences. The defaults were tuned on XQuAD
/// English (features dumped by `dotnet run -c Release --project tests/PolicyChat.Benchmarks -- extractive-features`, swept
/// offline) and checked on XQuAD Arabic and the gold set (README, "Extractive answers").
/// </summary>
public sealed record ExtractiveScoring
{
    /// <summary>Credit for a question word the sentence holds only in another form (share of its character n-grams).</summary>
    public double NGramCredit { get; init; } = 0.7;

    /// <summary>Share of a word's character n-grams the sentence must hold for the n-gram credit.</summary>
    public double NGramMinShare { get; init; } = 0.6;

    /// <summary>
    /// Credit for an Arabic question word the sentence holds only with other clitics (the same <see cref="Text.ArabicMatchStemmer"/>
    /// stem: "كمستشار" / "مستشاره"); tuned on XQuAD Arabic.
    /// </summary>
    public double MatchStemCredit { get; init; } = 0.9;

    /// <summary>
    /// Share of its IDF that an Arabic question word with a stem of one or two letters weighs (أنه → ان, رأى → را, قوى → قو:
    /// many unrelated words share such a stem; English two-letter terms are mostly names such as AI, EU, UN and keep their
    /// weight); tuned on XQuAD-ar questions asked against the sample corpus, checked on the rest.
    /// </summary>
    public double ShortStemWeight { get; init; } = 0.6;

    /// <summary>Weight of the whole passage's coverage of the question (context the sentence refers to).</summary>
    public double PassageWeight { get; init; } = 0.15;

    /// <summary>Weight of proximity: the question words the sentence holds, divided by the span they occupy.</summary>
    public double ProximityWeight { get; init; } = 0.1;

    /// <summary>Added when the sentence holds the kind of answer the question asks for (a number for كم/how many…).</summary>
    public double TypeBonus { get; init; } = 0.15;

    /// <summary>Subtracted when it does not.</summary>
    public double TypePenalty { get; init; } = 0.15;

    /// <summary>Weight of the passage's retrieval rank (1/rank).</summary>
    public double RankWeight { get; init; } = 0.2;

    /// <summary>Weight of the better neighbouring sentence's coverage (pronouns refer back to it).</summary>
    public double NeighbourWeight { get; init; } = 0.1;

    /// <summary>Weight of position: earlier sentences of a passage carry its lead (1/(1 + index)).</summary>
    public double PositionWeight { get; init; } = 0.02;

    /// <summary>A further sentence is quoted only when its score reaches this share of the best sentence's score…</summary>
    public double NextScoreRatio { get; init; } = 0.85;

    /// <summary>…or this lower share when it holds question words the quoted sentences lack.</summary>
    public double NextGainScoreRatio { get; init; } = 0.7;

    /// <summary>
    /// Added to a further sentence's score when it is next to the best one in the same passage (the answer often sits in
    /// the sentence before or after the one that repeats the question's words); such a neighbour needs no support of its own.
    /// </summary>
    public double AdjacentBonus { get; init; } = 0.2;

    /// <summary>…and it covers at least this IDF-weighted share of the question that the quoted ones did not (or the asked-for kind they lack).</summary>
    public double NextMinGain { get; init; }

    /// <summary>
    /// Support of a byline ("المؤلف: …") for a question asking who wrote the text: this credit plus the rest times the
    /// document's coverage of the question's subject (the byline names the author; the document, through its title and
    /// retrieved passages, must be about the rest of the question).
    /// </summary>
    public double BylineCredit { get; init; } = 0.5;

    /// <summary>
    /// The document's coverage of the question's subject below which a byline gets no credit. XQuAD "who wrote…"
    /// questions asked against the sample corpus get none (the 0.25 was set when this was the byline passage's coverage
    /// of the whole question, where they reached at most 0.20); the sample corpus's own "من كاتب المقال عن نجاح DeepSeek
    /// والاقتصاد الصيني؟" gets 1.0 (its chunk alone held 0.21 of the whole question, so it was refused).
    /// </summary>
    public double BylineMinCoverage { get; init; } = 0.25;

    /// <summary>A further sentence needs at least this support (the first one is judged by the confidence).</summary>
    public double NextMinSupport { get; init; } = 0.2;

    /// <summary>Weight of the best top passage's coverage in the confidence (the rest is the best sentence's support).</summary>
    public double ConfidenceCoverageWeight { get; init; } = 0.2;

    /// <summary>
    /// Pseudo-count of question words in the confidence's length prior n / (n + prior): a question of one or two content
    /// words that a passage happens to share is weak evidence; one of eight is strong.
    /// </summary>
    public double ConfidencePrior { get; init; } = 6;
}
