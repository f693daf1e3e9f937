using PolicyChat.Core.Answering;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Server.Security;
using System.Text.Json.Serialization;

namespace PolicyChat.Server.Apis;

/// <summary>
/// A question: the body of POST /api/ask and /api/ask/stream (snake_case: question, conversation_id, language) and
/// the argument of the hub's Ask (camelCase: question, conversationId, language). <c>language</c> ("ar" or "en")
/// chooses the language of error messages; answers are always in the question's language.
/// </summary>
public sealed record AskBody([property: JsonConverter(typeof(RawStringConverter))] string? Question, string? ConversationId = null, string? Language = null)
{
    public AskRequest ToRequest() => new(Question ?? "", string.IsNullOrWhiteSpace(ConversationId) ? null : ConversationId.Trim());
}

public sealed record SearchHitJson(int Rank, double Score, string DocumentId, string Title, string Language, string? Date, string? Outlet,
    int Ordinal, int Start, int End, string Text);

/// <summary>GET /api/search (same shape as `policychat search --json`).</summary>
public sealed record SearchResponse(string Query, string Language, double ElapsedMs, IReadOnlyList<SearchHitJson> Hits)
{
    public static SearchResponse From(RetrievalResult r) => new(r.Query, r.Language, Math.Round(r.Elapsed.TotalMilliseconds, 3),
        [.. r.Hits.Select((h, i) => new SearchHitJson(i + 1, Math.Round(h.Score, 6), h.DocumentId, h.Title, h.Language, h.Date, h.Outlet,
            h.Ordinal, h.Start, h.End, h.Text))]);
}

/// <summary>One document in GET /api/documents. <c>source</c> is the file name (or "upload:name" for uploads).</summary>
public sealed record DocumentJson(string Id, string Title, string Language, string? Date, string? Outlet, string Source, int ChunkCount,
    DateTimeOffset IngestedAt, string ContentHash)
{
    public static DocumentJson From(DocumentSummary d) =>
        new(d.Id, d.Title, d.Language, d.Date, d.Outlet, DocumentSource.Display(d.SourcePath), d.ChunkCount, d.IngestedAt, d.ContentHash);
}

public sealed record DocumentListResponse(int Count, IReadOnlyList<DocumentJson> Documents);

/// <summary>GET /api/documents/{id}: metadata and the full text (citation and passage offsets index into <c>text</c>).</summary>
public sealed record DocumentDetailJson(string Id, string Title, string Language, string? Date, string? Outlet, string Source,
    DateTimeOffset IngestedAt, string ContentHash, int Length, string Text)
{
    public static DocumentDetailJson From(StoredDocument d) =>
        new(d.Id, d.Title, d.Language, d.Date, d.Outlet, DocumentSource.Display(d.SourcePath), d.IngestedAt, d.ContentHash, d.Text.Length, d.Text);
}

/// <summary>
/// One uploaded file's outcome: status is added, updated, unchanged, skipped or failed; <c>reason</c> says why a file was
/// skipped or failed, in the caller's language when the problem is a known one (Accept-Language).
/// </summary>
public sealed record UploadResultJson(string FileName, string? DocumentId, string Status, int Chunks, string? Title, string? Reason, double ElapsedMs)
{
    /// <summary>What reading involved (OCR pages and confidence); omitted when nothing.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    public static UploadResultJson From(string fileName, IngestionResult r, string language = "en") =>
        new(fileName, r.DocumentId, r.Status.ToString().ToLowerInvariant(), r.Chunks, r.Title,
            r.Problem is { } problem ? ReadProblemMessages.Get(problem, language) : r.Reason, Math.Round(r.Elapsed.TotalMilliseconds, 3)) { Detail = r.Detail };
}

public sealed record UploadResponse(IReadOnlyList<UploadResultJson> Results);

internal static class DocumentSource
{
    public const string UploadPrefix = "upload:";

    /// <summary>File name only: server paths are not shown to callers.</summary>
    public static string Display(string sourcePath) =>
        sourcePath.StartsWith(UploadPrefix, StringComparison.Ordinal) ? sourcePath : Path.GetFileName(sourcePath);
}
