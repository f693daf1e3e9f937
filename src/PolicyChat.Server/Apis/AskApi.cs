using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Models;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.RateLimiting;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>POST /api/ask (the whole answer as JSON) and POST /api/ask/stream (the answer as Server-Sent Events).</summary>
public static class AskApi
{
    public static IEndpointRouteBuilder MapAskApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/ask")
            .WithTags("Ask")
            .RequireAuthorization(ApiKeyDefaults.UserPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey)
            .LimitConcurrentAnswers();

        api.MapPost("/", AskAsync)
            .WithName("Ask")
            .WithSummary("Answers a question with verified citations (snake_case JSON, same shape as `policychat ask --json`).");
        api.MapPost("/stream", AskStreamAsync)
            .WithName("AskStream")
            .WithSummary("Streams the answer as Server-Sent Events: `event: sources|delta|citations|done|error`, `data: <AnswerEvent JSON>`.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    public static async Task<Results<Ok<AnswerResult>, ProblemHttpResult>> AskAsync(
        AskBody body, HttpContext context, AnswerStreams answers, CancellationToken cancellationToken)
    {
        var request = body.ToRequest();
        var language = UiLanguage.ForQuestion(context.Request, body.Language, request.Question);
        if (Invalid(context, answers, request, language) is { } problem)
        {
            return problem;
        }
        try
        {
            return TypedResults.Ok(await answers.Answers.AskAsync(request, cancellationToken));
        }
        catch (ModelAnswerException)
        {
            return ApiProblems.Create(context, StatusCodes.Status502BadGateway, "answer_failed", ServerText.AnswerFailed, language);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = answers.SafeMessage(ex, language);
            var status = ex is ModelException ? StatusCodes.Status502BadGateway : StatusCodes.Status500InternalServerError;
            return ApiProblems.Create(context, status, "answer_failed", new LocalizedText(message, message), language);
        }
    }

    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> AskStreamAsync(
        AskBody body, HttpContext context, AnswerStreams answers, CancellationToken cancellationToken)
    {
        var request = body.ToRequest();
        var language = UiLanguage.ForQuestion(context.Request, body.Language, request.Question);
        if (Invalid(context, answers, request, language) is { } problem)
        {
            return problem;
        }
        var sse = SseWriter.Start(context);
        try
        {
            await foreach (var e in answers.StreamAsync(request, language, cancellationToken))
            {
                await sse.WriteAsync(e.Type, JsonSerializer.Serialize(e, ServerJson.Api), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The client went away; the answer (and the model call) stopped with it.
        }
        return TypedResults.Empty;
    }

    /// <summary>A 400 problem for an empty or oversized question or a malformed conversation id; null when the request is fine.</summary>
    internal static ProblemHttpResult? Invalid(HttpContext context, AnswerStreams answers, AskRequest request, string language)
    {
        try
        {
            answers.Answers.Validate(request, language);
            if (TextChecks.Check(request.Question, language) is { } invalid)
            {
                throw invalid;
            }
        }
        catch (InvalidQuestionException ex)
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, ex.Code, new LocalizedText(ex.Message, ex.Message), language);
        }
        if (request.ConversationId is { } id && !ConversationIds.IsValid(id))
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "invalid_conversation_id", ConversationIds.Invalid, language);
        }
        return null;
    }
}
