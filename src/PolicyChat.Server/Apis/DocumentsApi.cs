using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Server.Hubs;
using PolicyChat.Server.Infrastructure;
using PolicyChat.Server.RateLimiting;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Apis;

/// <summary>
/// The collection: list, read (text and metadata for the source view), upload (multipart, one or more files) and
/// delete. Uploads and deletes need an admin key and are refused from other origins (a page on another site cannot
/// post files to a local, open server).
/// </summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/documents")
            .WithTags("Documents")
            .RequireAuthorization(ApiKeyDefaults.UserPolicy)
            .RequireRateLimiting(RateLimitPolicies.PerKey);

        api.MapGet("/", ListAsync).WithName("ListDocuments").WithSummary("Lists the documents in the collection.");
        api.MapGet("/{id}", GetAsync).WithName("GetDocument").WithSummary("A document's metadata and full text.");
        api.MapPost("/", UploadAsync)
            .WithName("UploadDocuments")
            .WithSummary("Adds or replaces documents from a multipart/form-data upload (.txt, .md, .html, .docx, .pdf); one result per file.")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .RequireAuthorization(ApiKeyDefaults.AdminPolicy)
            .AddEndpointFilter(SameOriginFilter)
            .DisableAntiforgery();
        api.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteDocument")
            .WithSummary("Removes a document and its passages.")
            .RequireAuthorization(ApiKeyDefaults.AdminPolicy)
            .AddEndpointFilter(SameOriginFilter);
        return app;
    }

    public static async Task<Ok<DocumentListResponse>> ListAsync(IIndexStore store, CancellationToken cancellationToken)
    {
        var documents = await store.ListDocumentsAsync(cancellationToken: cancellationToken);
        var list = documents.OrderBy(d => d.Title, StringComparer.Ordinal).Select(DocumentJson.From).ToList();
        return TypedResults.Ok(new DocumentListResponse(list.Count, list));
    }

    public static async Task<Results<Ok<DocumentDetailJson>, ProblemHttpResult>> GetAsync(
        string id, HttpContext context, IIndexStore store, CancellationToken cancellationToken)
    {
        var document = await store.GetDocumentAsync(id, cancellationToken);
        return document is null
            ? ApiProblems.Create(context, StatusCodes.Status404NotFound, "document_not_found", ServerText.DocumentNotFound)
            : TypedResults.Ok(DocumentDetailJson.From(document));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext context, IIndexStore store, IHubContext<ChatHub, IChatHubClient> hub, CancellationToken cancellationToken)
    {
        if (!await store.DeleteDocumentAsync(id, cancellationToken))
        {
            return ApiProblems.Create(context, StatusCodes.Status404NotFound, "document_not_found", ServerText.DocumentNotFound);
        }
        await hub.Clients.All.DocumentsChanged();
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<UploadResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext context,
        IngestionPipeline pipeline,
        IOptions<ServerOptions> options,
        IHubContext<ChatHub, IChatHubClient> hub,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var request = context.Request;
        if (!request.HasFormContentType)
        {
            return ApiProblems.Create(context, StatusCodes.Status415UnsupportedMediaType, "multipart_required", ServerText.NoFiles);
        }
        if (request.ContentLength > limits.MaxUploadBytes)
        {
            return ApiProblems.Create(context, StatusCodes.Status413PayloadTooLarge, "body_too_large", ServerText.BodyTooLarge(limits.MaxUploadBytes));
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxUploadBytes;
        }
        context.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = limits.MaxUploadBytes,
            ValueCountLimit = limits.MaxUploadFiles + 16,
        }));

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ApiProblems.Create(context, StatusCodes.Status413PayloadTooLarge, "body_too_large", ServerText.BodyTooLarge(limits.MaxUploadBytes));
        }
        catch (InvalidDataException)
        {
            // Multipart limits exceeded (body length, part count) or a malformed multipart body.
            return ApiProblems.Create(context, StatusCodes.Status413PayloadTooLarge, "body_too_large", ServerText.BodyTooLarge(limits.MaxUploadBytes));
        }

        var files = form.Files;
        if (files.Count == 0)
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "no_files", ServerText.NoFiles);
        }
        if (files.Count > limits.MaxUploadFiles)
        {
            return ApiProblems.Create(context, StatusCodes.Status400BadRequest, "too_many_files", ServerText.TooManyFiles(limits.MaxUploadFiles));
        }
        var unsupported = files.Select(f => SafeFileName(f.FileName))
            .Where(name => !DocumentLoader.SupportedExtensions.Contains(Path.GetExtension(name)))
            .ToList();
        if (unsupported.Count > 0)
        {
            return ApiProblems.Create(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_file_type",
                ServerText.UnsupportedFileType(unsupported, DocumentLoader.SupportedExtensions.Order(StringComparer.Ordinal)));
        }

        var client = RateLimitPolicies.PartitionKey(context);
        var textBudget = context.RequestServices.GetRequiredService<UploadTextBudget>();
        if (textBudget.IsSpent(client))
        {
            RateLimitPolicies.SetRetryAfter(context.Response, TimeSpan.FromSeconds(60));
            return ApiProblems.Create(context, StatusCodes.Status429TooManyRequests, "upload_budget_spent", SecurityText.UploadTextBudgetExhausted(textBudget.PerMinute));
        }
        var admitText = textBudget.ForRequest(client, context.RequestServices.GetRequiredService<IOptions<ServerSecurityOptions>>().Value.MaxUploadTextChars,
            UiLanguage.FromRequest(request));
        var logger = loggerFactory.CreateLogger(typeof(DocumentsApi));
        var results = new List<UploadResultJson>();
        foreach (var file in files)
        {
            var name = SafeFileName(file.FileName);
            var source = DocumentSource.UploadPrefix + name;
            IngestionResult result;
            if (DisplayNames.IsRefused(file.FileName ?? ""))
            {
                result = new IngestionResult(source, null, IngestionStatus.Failed, 0, FileWalker.NulReason, TimeSpan.Zero);
                results.Add(UploadResultJson.From(name, result));
                continue;
            }
            try
            {
                using var buffer = new MemoryStream(capacity: (int)Math.Min(file.Length, int.MaxValue));
                await file.CopyToAsync(buffer, cancellationToken);
                result = await pipeline.IngestContentAsync(source, name, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), admitText, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Upload of {File} failed", name);
                result = new IngestionResult(source, null, IngestionStatus.Failed, 0, ServerText.UploadFailed.In(UiLanguage.FromRequest(context.Request)), TimeSpan.Zero);
            }
            logger.LogInformation("Upload {File}: {Status} ({Chunks} chunks)", name, result.Status, result.Chunks);
            results.Add(UploadResultJson.From(name, result, UiLanguage.FromRequest(context.Request)));
        }
        if (results.Any(r => r.Status is "added" or "updated"))
        {
            await hub.Clients.All.DocumentsChanged();
        }
        return TypedResults.Ok(new UploadResponse(results));
    }

    /// <summary>
    /// The file name without any directory part (browsers may send a path), with control and bidi characters escaped
    /// (see <see cref="DisplayNames"/>) so that logs, listings and citations show it as it is.
    /// </summary>
    internal static string SafeFileName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/').Split('/').Last()).Trim();
        return name.Length == 0 ? "upload" : DisplayNames.Escape(name);
    }

    /// <summary>Refuses writes whose Origin is not one of this server's public origins (<see cref="PublicOrigins"/>; never the request's own Host).</summary>
    internal static async ValueTask<object?> SameOriginFilter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!context.RequestServices.GetRequiredService<PublicOrigins>().IsAllowed(context.Request.Headers.Origin.ToString()))
        {
            return ApiProblems.Create(context, StatusCodes.Status403Forbidden, "cross_origin", SecurityText.CrossOrigin);
        }
        return await next(invocation);
    }
}
