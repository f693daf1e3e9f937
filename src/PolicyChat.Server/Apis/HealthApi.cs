using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Models;
using PolicyChat.Core.Storage;
using PolicyChat.Server.Security;
using PolicyChat.Server.Seeding;

namespace PolicyChat.Server.Apis;

public sealed record LiveResponse(string Status);

/// <summary>The index's state; <c>Warm</c> is false while the embedded store is still loading its in-memory search indexes.</summary>
public sealed record IndexReadiness(bool Ok, int Documents, int Chunks, string? Embedder, string? Message, bool Warm);

public sealed record ModelReadiness(bool Enabled, bool Reachable, bool Healthy, string? Endpoint, string? Model, string Message);

/// <summary>GET /readyz: <c>status</c> is "ready" when the index opens; the model's state is reported, not required.</summary>
public sealed record ReadyResponse(string Status, IndexReadiness Index, SeedingReport Seeding, ModelReadiness Model, string AnswerMode);

/// <summary>GET /readyz for a caller without a key from another machine: ready or not, nothing more.</summary>
public sealed record ReadyStatus(string Status);

/// <summary>/healthz (the process is up) and /readyz (the index opens; seeding and model reachability reported).</summary>
public static class HealthApi
{
    public const string HttpClientName = "model-health";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("").WithTags("Health");
        health.MapGet("/healthz", () => TypedResults.Ok(new LiveResponse("ok"))).WithName("Live").WithSummary("The process is up.");
        health.MapGet("/readyz", ReadyAsync).WithName("Ready")
            .WithSummary("200 when the index opens (503 otherwise); with a key or from this machine, also seeding progress, index details and whether the language model is reachable.")
            .Produces<ReadyResponse>().Produces<ReadyResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<IResult> ReadyAsync(
        HttpContext context,
        IIndexStore store,
        SeedingStatus seeding,
        AnswerService answers,
        IOptions<LlmOptions> llm,
        IHttpClientFactory httpClients,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        IndexReadiness index;
        try
        {
            await store.InitializeAsync(cancellationToken);
            var stats = await store.GetStatsAsync(cancellationToken);
            index = new IndexReadiness(true, stats.Documents, stats.Chunks, stats.Embedder is { } e ? $"{e.Model} ({e.Dimensions})" : null, null,
                Warm: store is not IIndexWarmUp warmable || warmable.IsWarm);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            loggerFactory.CreateLogger(typeof(HealthApi)).LogError(ex, "Readiness: the index could not be opened");
            index = new IndexReadiness(false, 0, 0, null, "The index could not be opened; see the server log.", Warm: false);
        }

        if (!ReadinessAccess.ShowsDetails(context))
        {
            var status = new ReadyStatus(index.Ok ? "ready" : "unavailable");
            return index.Ok ? TypedResults.Ok(status) : TypedResults.Json(status, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        ModelReadiness model;
        var options = llm.Value;
        if (!options.Enabled || !answers.HasModel)
        {
            model = new ModelReadiness(false, false, false, null, null, "No language model is configured: answers quote the sources (extractive mode).");
        }
        else
        {
            var report = await ModelHealth.CheckAsync(options, httpClients.CreateClient(HttpClientName), cancellationToken);
            model = new ModelReadiness(true, report.Reachable, report.Healthy, report.Endpoint, report.Model, report.Message);
        }

        var mode = !model.Enabled ? AnswerModes.Extractive : model.Healthy ? AnswerModes.Llm : AnswerModes.Extractive;
        var response = new ReadyResponse(index.Ok ? "ready" : "unavailable", index, seeding.Current, model, mode);
        return index.Ok
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
