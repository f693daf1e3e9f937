using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using PolicyChat.Core.Ingestion;
using PolicyChat.Server.Hubs;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>
/// Library maintenance beyond list/read/upload/delete (<see cref="DocumentsApi"/>): re-indexing a document rebuilds its
/// passages and embeddings from its source file, or from the stored text when it was uploaded. Needs an admin key.
/// </summary>
public static class LibraryApi
{
    public static IEndpointRouteBuilder MapLibraryApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/documents/{id}/reindex", ReindexAsync)
            .WithTags("Documents")
            .WithName("ReindexDocument")
            .WithSummary("Rebuilds a document's passages (and embeddings) from its source file, or from the stored text for uploads.")
            .RequireAuthorization(ApiKeyDefaults.AdminPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey)
            .AddEndpointFilter(DocumentsApi.SameOriginFilter)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    public static async Task<Results<Ok<UploadResultJson>, ProblemHttpResult>> ReindexAsync(
        string id, HttpContext context, IngestionPipeline pipeline, IHubContext<ChatHub, IChatHubClient> hub, CancellationToken cancellationToken)
    {
        if (await pipeline.ReindexAsync(id, cancellationToken) is not { } result)
        {
            return ApiProblems.Create(context, StatusCodes.Status404NotFound, "document_not_found", ServerText.DocumentNotFound);
        }
        if (result.Status is IngestionStatus.Updated)
        {
            await hub.Clients.All.DocumentsChanged();
        }
        return TypedResults.Ok(UploadResultJson.From(DocumentSource.Display(result.Path), result, UiLanguage.FromRequest(context.Request)));
    }
}
