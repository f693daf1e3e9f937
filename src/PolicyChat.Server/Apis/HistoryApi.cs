using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PolicyChat.Core.Conversations;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>PATCH /api/history/{id}: the new title.</summary>
public sealed record RenameConversationBody(string? Title);

/// <summary>PUT …/feedback: <c>rating</c> "up" or "down", an optional comment.</summary>
public sealed record FeedbackBody(string? Rating, string? Comment);

public sealed record ConversationListResponse(int Count, IReadOnlyList<ConversationSummary> Conversations);

/// <summary>
/// A browser's conversation history (/api/history): list, open, rename, delete, export as Markdown, and feedback on an
/// answer. Every call names the browser with the <c>X-Browser-Identity</c> header and sees only that identity's
/// conversations. All rated answers can be exported by an administrator (/api/feedback) as evaluation cases.
/// </summary>
public static class HistoryApi
{
    public const string IdentityHeader = "X-Browser-Identity";

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/history")
            .WithTags("History")
            .RequireAuthorization(ApiKeyDefaults.UserPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapGet("/", ListAsync).WithName("ListConversations")
            .WithSummary("This browser's conversations, newest first (X-Browser-Identity names the browser).");
        api.MapGet("/{id}", GetAsync).WithName("GetConversation")
            .WithSummary("A conversation with its questions, answers, sources, citations and feedback.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPatch("/{id}", RenameAsync).WithName("RenameConversation").WithSummary("Renames a conversation.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{id}", DeleteAsync).WithName("DeleteConversation").WithSummary("Deletes a conversation.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id}/export", ExportAsync).WithName("ExportConversation")
            .WithSummary("The conversation as Markdown, its citations as footnotes.")
            .Produces<string>(StatusCodes.Status200OK, "text/markdown")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/{id}/turns/{index:int}/feedback", SetFeedbackAsync).WithName("SetFeedback")
            .WithSummary("Rates answer number `index` (from 0) of a conversation: up or down, with an optional comment.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/feedback", ExportFeedbackAsync)
            .WithTags("History")
            .WithName("ExportFeedback")
            .WithSummary("Every rated answer as JSON Lines (one evaluation case a line), oldest first; `rating=down` for the disliked ones. Needs an administrator key.")
            .Produces<FeedbackCase>(StatusCodes.Status200OK, "application/x-ndjson")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .RequireAuthorization(ApiKeyDefaults.AdminPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey);
        return app;
    }

    public static async Task<Results<Ok<ConversationListResponse>, ProblemHttpResult>> ListAsync(
        HttpContext context, ConversationHistory history, [FromHeader(Name = IdentityHeader)] string? browser, CancellationToken cancellationToken)
    {
        if (Identity(browser) is not { } identity)
        {
            return InvalidIdentity(context);
        }
        var list = await history.ListAsync(identity, cancellationToken);
        return TypedResults.Ok(new ConversationListResponse(list.Count, list));
    }

    public static async Task<Results<Ok<ConversationRecord>, ProblemHttpResult>> GetAsync(
        string id, HttpContext context, ConversationHistory history, [FromHeader(Name = IdentityHeader)] string? browser, CancellationToken cancellationToken)
    {
        if (Identity(browser) is not { } identity)
        {
            return InvalidIdentity(context);
        }
        return await history.GetAsync(identity, id, cancellationToken) is { } conversation
            ? TypedResults.Ok(conversation)
            : NotFound(context);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RenameAsync(
        string id, RenameConversationBody body, HttpContext context, ConversationHistory history, [FromHeader(Name = IdentityHeader)] string? browser, CancellationToken cancellationToken)
    {
        if (Identity(browser) is not { } identity)
        {
            return InvalidIdentity(context);
        }
        if (string.IsNullOrWhiteSpace(body?.Title))
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "empty_title", EmptyTitle);
        }
        return await history.RenameAsync(identity, id, body.Title, cancellationToken) ? TypedResults.NoContent() : NotFound(context);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext context, ConversationHistory history, ConversationStore messages, [FromHeader(Name = IdentityHeader)] string? browser,
        CancellationToken cancellationToken)
    {
        if (Identity(browser) is not { } identity)
        {
            return InvalidIdentity(context);
        }
        if (!await history.DeleteAsync(identity, id, cancellationToken))
        {
            return NotFound(context);
        }
        await messages.DeleteAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> ExportAsync(
        string id, HttpContext context, ConversationHistory history, [FromHeader(Name = IdentityHeader)] string? browser, CancellationToken cancellationToken)
    {
        if (Identity(browser) is not { } identity)
        {
            return InvalidIdentity(context);
        }
        if (await history.GetAsync(identity, id, cancellationToken) is not { } conversation)
        {
            return NotFound(context);
        }
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"conversation-{id}.md\"";
        return TypedResults.Text(ConversationMarkdown.Render(conversation), "text/markdown; charset=utf-8", Encoding.UTF8);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> SetFeedbackAsync(
        string id, int index, FeedbackBody body, HttpContext context, ConversationHistory history, TimeProvider time,
        [FromHeader(Name = IdentityHeader)] string? browser, CancellationToken cancellationToken)
    {
        if (Identity(browser) is not { } identity)
        {
            return InvalidIdentity(context);
        }
        if (!TurnFeedback.IsRating(body?.Rating))
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "invalid_rating", InvalidRating);
        }
        if (body!.Comment is { Length: > TurnFeedback.MaxCommentChars })
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "comment_too_long", CommentTooLong);
        }
        return await history.SetFeedbackAsync(identity, id, index, body.Rating!, body.Comment, time.GetUtcNow(), cancellationToken)
            ? TypedResults.NoContent()
            : NotFound(context);
    }

    /// <summary>Streams the cases one line at a time: memory does not grow with the number of ratings.</summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportFeedbackAsync(
        HttpContext context, ConversationHistory history, [FromQuery] string? rating, CancellationToken cancellationToken)
    {
        if (rating is not null && !TurnFeedback.IsRating(rating))
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "invalid_rating", InvalidRating);
        }
        context.Response.ContentType = "application/x-ndjson; charset=utf-8";
        var newline = "\n"u8.ToArray();
        await foreach (var item in history.ReadFeedbackAsync(rating, cancellationToken))
        {
            await JsonSerializer.SerializeAsync(context.Response.Body, item, ServerJson.Api, cancellationToken);
            await context.Response.Body.WriteAsync(newline, cancellationToken);
        }
        return TypedResults.Empty;
    }

    /// <summary>The browser's identity from the X-Browser-Identity header, when it is a valid one.</summary>
    private static string? Identity(string? value) => ConversationHistory.IsValidIdentity(value) ? value : null;

    private static ProblemHttpResult InvalidIdentity(HttpContext context) =>
        ApiProblems.Create(context, StatusCodes.Status400BadRequest, "invalid_identity", HistoryRecording.InvalidIdentity);

    private static ProblemHttpResult NotFound(HttpContext context) =>
        ApiProblems.Create(context, StatusCodes.Status404NotFound, "conversation_not_found", ConversationNotFound);

    private static LocalizedText ConversationNotFound { get; } = new(
        "This browser has no conversation (or answer) with this id.",
        "لا توجد لدى هذا المتصفح محادثة (أو إجابة) بهذا المعرّف.");

    private static LocalizedText EmptyTitle { get; } = new("The title is empty.", "العنوان فارغ.");

    private static LocalizedText InvalidRating { get; } = new("The rating must be \"up\" or \"down\".", "يجب أن يكون التقييم \"up\" أو \"down\".");

    private static LocalizedText CommentTooLong { get; } = new(
        $"The comment must be at most {TurnFeedback.MaxCommentChars} characters.",
        $"يجب ألا يتجاوز التعليق {TurnFeedback.MaxCommentChars} حرف.");
}
