using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyChat.Core.Evaluation;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;

namespace PolicyChat.Cli;

internal sealed record IngestResultJson(string Path, string? DocumentId, string Status, int Chunks, string? Reason, double ElapsedMs, string? Title);

internal sealed record IngestJson(int Added, int Updated, int Unchanged, int Skipped, int Failed, int Removed, int Chunks, double ElapsedMs, IReadOnlyList<IngestResultJson> Results);

internal sealed record SearchHitJson(int Rank, double Score, string DocumentId, string Title, string Language, string? Date, string? Outlet,
    int Ordinal, int Start, int End, string Text);

internal sealed record SearchJson(string Query, string Language, double ElapsedMs, IReadOnlyList<SearchHitJson> Hits);

internal sealed record SquadJson(
    [property: JsonPropertyName("questions")] int Questions,
    [property: JsonPropertyName("recall_at_1")] double RecallAt1,
    [property: JsonPropertyName("recall_at_5")] double RecallAt5,
    [property: JsonPropertyName("recall_at_10")] double RecallAt10,
    [property: JsonPropertyName("mrr_at_10")] double MrrAt10,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p95_ms")] double P95Ms);

/// <summary>`eval squad --answers --json`: the retrieval keys, then the answer keys (p50_ms/p95_ms time the whole answer).</summary>
internal sealed record SquadAnswersJson(
    [property: JsonPropertyName("questions")] int Questions,
    [property: JsonPropertyName("passages")] int Passages,
    [property: JsonPropertyName("merged_paragraphs")] int MergedParagraphs,
    [property: JsonPropertyName("recall_at_1")] double RecallAt1,
    [property: JsonPropertyName("recall_at_5")] double RecallAt5,
    [property: JsonPropertyName("recall_at_10")] double RecallAt10,
    [property: JsonPropertyName("mrr_at_10")] double MrrAt10,
    [property: JsonPropertyName("retrieval_p50_ms")] double RetrievalP50Ms,
    [property: JsonPropertyName("retrieval_p95_ms")] double RetrievalP95Ms,
    [property: JsonPropertyName("answer_containment")] double? AnswerContainment,
    [property: JsonPropertyName("first_sentence_containment")] double? FirstSentenceContainment,
    [property: JsonPropertyName("sentences_per_answer")] double? SentencesPerAnswer,
    [property: JsonPropertyName("false_abstention")] double? FalseAbstention,
    [property: JsonPropertyName("partial")] double? Partial,
    [property: JsonPropertyName("p50_ms")] double? P50Ms,
    [property: JsonPropertyName("p95_ms")] double? P95Ms,
    [property: JsonPropertyName("negatives")] int? Negatives,
    [property: JsonPropertyName("negative_abstention")] double? NegativeAbstention,
    [property: JsonPropertyName("negative_partial")] double? NegativePartial,
    [property: JsonPropertyName("negative_answered")] double? NegativeAnswered);

/// <summary>One line of `eval squad --outcomes`.</summary>
internal sealed record OutcomeJson(string Set, string Id, string Question, string Mode, bool Contains, bool FirstContains, int Sentences,
    double Evidence, double? Support, double? Coverage, double? PassageEvidence, bool GoldPassageFirst, double Ms,
    IReadOnlyList<string> Quotes, IReadOnlyList<string> Gold);

internal static class CliJson
{
    public static SquadAnswersJson ToJson(SquadDataset dataset, RetrievalMetrics r, SquadAnswerMetrics? a, SquadAnswerMetrics? n) => new(
        r.Questions, dataset.Passages.Count, dataset.MergedParagraphs, r.RecallAt1, r.RecallAt5, r.RecallAt10, r.MrrAt10, r.P50Ms, r.P95Ms,
        a?.AnswerContainment, a?.FirstSentenceContainment, a?.SentencesPerAnswer, a?.FalseAbstention, a?.Partial, a?.P50Ms, a?.P95Ms,
        n?.Questions, n is null ? null : 1 - n.Answered, n?.Partial, n?.Answered);

    public static OutcomeJson ToJson(string set, SquadAnswerOutcome o) =>
        new(set, o.Id, o.Question, o.Mode, o.Contains, o.FirstContains, o.Sentences, o.Evidence, o.Support, o.Coverage, o.PassageEvidence, o.GoldPassageFirst, o.Ms, o.Quotes, o.Gold);

    public static string ToText(SquadAnswersJson j)
    {
        static string F(double? v) => v is { } x ? x.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "-";
        return string.Join('\n',
            $"questions                   {j.Questions} ({j.Passages} passages, {j.MergedParagraphs} identical paragraphs merged)",
            $"recall@1 / @5 / @10         {F(j.RecallAt1)} / {F(j.RecallAt5)} / {F(j.RecallAt10)}",
            $"answer containment          {F(j.AnswerContainment)} (first sentence {F(j.FirstSentenceContainment)})",
            $"sentences per answer        {F(j.SentencesPerAnswer)}",
            $"false abstention            {F(j.FalseAbstention)} (partial {F(j.Partial)})",
            $"answer latency p50 / p95    {F(j.P50Ms)} / {F(j.P95Ms)} ms",
            $"negatives                   {j.Negatives?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}: not answered {F(j.NegativeAbstention)} (partial {F(j.NegativePartial)}, answered {F(j.NegativeAnswered)})");
    }

    public static IngestJson ToJson(IngestionSummary s) => new(s.Added, s.Updated, s.Unchanged, s.Skipped, s.Failed, s.Removed, s.ChunksWritten,
        s.Elapsed.TotalMilliseconds,
        s.Results.Select(r => new IngestResultJson(r.Path, r.DocumentId, r.Status.ToString().ToLowerInvariant(), r.Chunks, r.Reason, r.Elapsed.TotalMilliseconds, r.Title)).ToList());

    public static SearchJson ToJson(RetrievalResult r) => new(r.Query, r.Language, r.Elapsed.TotalMilliseconds,
        r.Hits.Select((h, i) => new SearchHitJson(i + 1, h.Score, h.DocumentId, h.Title, h.Language, h.Date, h.Outlet, h.Ordinal, h.Start, h.End, h.Text)).ToList());

    public static SquadJson ToJson(RetrievalMetrics m) => new(m.Questions, m.RecallAt1, m.RecallAt5, m.RecallAt10, m.MrrAt10, m.P50Ms, m.P95Ms);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(IngestJson))]
[JsonSerializable(typeof(SearchJson))]
[JsonSerializable(typeof(SquadJson))]
[JsonSerializable(typeof(SquadAnswersJson))]
[JsonSerializable(typeof(OutcomeJson))]
[JsonSerializable(typeof(PolicyChat.Core.Answering.AnswerResult))]
[JsonSerializable(typeof(PolicyChat.Core.Evaluation.AnswerEvaluation))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>Prints Arabic and Chinese as themselves rather than \u escapes (output goes to a terminal or a pipe, not into HTML).</summary>
    public static CliJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    });

    /// <summary>One object per line (JSON lines).</summary>
    public static CliJsonContext Compact { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    });
}
