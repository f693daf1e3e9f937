using Microsoft.AspNetCore.Http.HttpResults;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Retrieval;
using PolicyChat.Core.Storage;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>GET /api/search?q=&amp;k=&amp;lang= : hybrid retrieval without an answer (same shape as `policychat search --json`).</summary>
public static class SearchApi
{
    public const int DefaultK = 10;
    public const int MaxK = 50;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/search")
            .WithTags("Search")
            .RequireAuthorization(ApiKeyDefaults.UserPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey)
            .MapGet("/", SearchAsync)
            .WithName("Search")
            .WithSummary("Searches the collection: the k best passages for q, optionally only in language lang (ar, en, zh).");
        return app;
    }

    public static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> SearchAsync(
        HttpContext context, HybridRetriever retriever, AnswerService answers, string? q, string? k, string? lang, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "empty_query", ServerText.EmptyQuery);
        }
        if (q.Length > answers.Options.MaxQuestionChars)
        {
            var language = UiLanguage.ForQuestion(context.Request, null, q);
            var text = AnswerText.QuestionTooLong(language, answers.Options.MaxQuestionChars);
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "query_too_long", new LocalizedText(text, text), language, param: "q");
        }
        if (QueryParameters.WholeNumber(k, DefaultK, 1, MaxK) is not { } count)
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "invalid_k",
                SecurityText.InvalidParameter("k", SecurityText.WholeNumberBetween(1, MaxK), k ?? ""), param: "k");
        }
        var filter = string.IsNullOrWhiteSpace(lang) ? null : new SearchFilter(Languages: [lang.Trim().ToLowerInvariant()]);
        var result = await retriever.SearchAsync(q.Trim(), count, filter, cancellationToken);
        return TypedResults.Ok(SearchResponse.From(result));
    }
}
