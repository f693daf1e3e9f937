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

internal static class CliJson
{
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
}
