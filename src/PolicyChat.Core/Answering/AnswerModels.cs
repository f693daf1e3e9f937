using System.Text.Json.Serialization;

namespace PolicyChat.Core.Answering;

public static class AnswerModes
{
    public const string Llm = "llm";
    public const string Extractive = "extractive";
    public const string Abstained = "abstained";

    /// <summary>
    /// Extractive mode when the evidence lies between the two thresholds: the closest passages are shown, with no claims
    /// (the collection does not answer the question directly).
    /// </summary>
    public const string Partial = "partial";
}

/// <summary>A question, optionally continuing a conversation.</summary>
public sealed record AskRequest(string Question, string? ConversationId = null);

/// <summary>A numbered passage given to the model (and shown to the user as a source).</summary>
public sealed record Passage(
    int Number,
    string DocumentId,
    string Title,
    string? Outlet,
    string? Date,
    string Language,
    string Text,
    int Start,
    int End,
    double Score)
{
    /// <summary>The 1-based PDF page the passage starts on; null for other formats (omitted from JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Page { get; init; }
}

/// <summary>A verified citation: the marker, its document, and the quoted span with offsets into the original document text.</summary>
public sealed record Citation(
    int Marker,
    string DocumentId,
    string Title,
    string? Outlet,
    string? Date,
    string Language,
    string Quote,
    int Start,
    int End,
    double Support)
{
    /// <summary>The 1-based PDF page of the cited passage; null for other formats (omitted from JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Page { get; init; }

    /// <summary>Where the citation points, for display: title, outlet, date and page ("ص 3" in Arabic, "p. 3" otherwise).</summary>
    public string SourceLabel(string language) =>
        string.Join(", ", new[] { Title, Outlet, Date, Page is { } page ? PageLabel.Format(page, language) : null }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>How a page number is written next to a source: "ص 3" for Arabic, "p. 3" otherwise.</summary>
public static class PageLabel
{
    public static string Format(int page, string language) =>
        (string.Equals(language, "ar", StringComparison.OrdinalIgnoreCase) ? "ص " : "p. ") + page.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record AnswerTimings(double RewriteMs, double RetrievalMs, double PreparationMs, double? FirstTokenMs, double TotalMs);

/// <summary>
/// Why the service answered or abstained: the evidence score and the threshold it was compared with. Without a model the
/// score is the extractive confidence, <see cref="Threshold"/> the partial threshold and <see cref="AnswerThreshold"/> the
/// answer threshold; <see cref="Support"/> is how well the best quoted sentence answers the question (0–1).
/// </summary>
public sealed record AnswerEvidence(
    double Score,
    double Threshold,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Support = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AnswerThreshold = null)
{
    /// <summary>Extractive mode: the best top passage's coverage of the question, with credit for words in another form.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Coverage { get; init; }

    /// <summary>Extractive mode: the passage-level evidence score (the one compared with AbstainBelow when a model answers).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Passage { get; init; }
}

/// <summary>Tokens of a model answer: the model's own counts when it sent them, else counts made with the configured tokenizer.</summary>
public sealed record AnswerUsage(int PromptTokens, int CompletionTokens);

/// <summary>The complete answer (what `policychat ask --json` and POST /api/ask return).</summary>
public sealed record AnswerResult(
    string Answer,
    string Language,
    string Mode,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<Passage> Passages,
    string ConversationId,
    string StandaloneQuestion,
    IReadOnlyList<string> UnsupportedClaims,
    AnswerTimings Timings,
    AnswerEvidence Evidence,
    string? Notice = null,
    int? PassagesSent = null,
    AnswerUsage? Usage = null);

/// <summary>
/// One event of a streamed answer. <see cref="Type"/> is one of sources, delta, citations, done, error; only the
/// members of that type are set (the others are null and omitted from JSON).
/// </summary>
public sealed record AnswerEvent
{
    public const string SourcesType = "sources";
    public const string DeltaType = "delta";
    public const string CitationsType = "citations";
    public const string DoneType = "done";
    public const string ErrorType = "error";

    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Passage>? Passages { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Citation>? Citations { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mode { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ConversationId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Language { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnswerTimings? Timings { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Notice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnswerEvidence? Evidence { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? UnsupportedClaims { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    /// <summary>On done: the standalone question that was searched (differs from the question for follow-ups).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Question { get; init; }

    /// <summary>Passages the model was given after fitting the prompt into its context (done events of model answers).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PassagesSent { get; init; }

    /// <summary>Token counts of a model answer (done events of model answers).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnswerUsage? Usage { get; init; }

    public static AnswerEvent Sources(IReadOnlyList<Passage> passages) => new() { Type = SourcesType, Passages = passages };

    public static AnswerEvent Delta(string text) => new() { Type = DeltaType, Text = text };

    public static AnswerEvent CitationsFound(IReadOnlyList<Citation> citations, IReadOnlyList<string> unsupported) =>
        new() { Type = CitationsType, Citations = citations, UnsupportedClaims = unsupported };

    public static AnswerEvent Done(string mode, string conversationId, string language, string question, AnswerTimings timings, AnswerEvidence evidence, string? notice) =>
        new() { Type = DoneType, Mode = mode, ConversationId = conversationId, Language = language, Question = question, Timings = timings, Evidence = evidence, Notice = notice };

    public static AnswerEvent Error(string message) => new() { Type = ErrorType, Message = message };
}
