using System.Diagnostics;

namespace PolicyChat.Core.Models;

/// <summary>The outcome of <see cref="ModelHealth.CheckAsync(string, string?, HttpClient, string?, TimeSpan?, CancellationToken)"/>.</summary>
/// <param name="Endpoint">The base URL checked.</param>
/// <param name="Reachable">The server answered <c>GET /v1/models</c> with a model list.</param>
/// <param name="Model">The model looked for, or null when none was asked about.</param>
/// <param name="ModelPresent">The model is in the list (a missing tag matches <c>:latest</c>).</param>
/// <param name="AvailableModels">Model ids the server listed.</param>
/// <param name="Message">One English line for operators: what is wrong and how to fix it, or that all is well.</param>
/// <param name="Elapsed">How long the check took.</param>
public sealed record ModelHealthReport(
    string Endpoint,
    bool Reachable,
    string? Model,
    bool ModelPresent,
    IReadOnlyList<string> AvailableModels,
    string Message,
    TimeSpan Elapsed)
{
    /// <summary>Reachable, and the model (when one was asked about) is present.</summary>
    public bool Healthy => Reachable && (Model is null || ModelPresent);
}

/// <summary>Checks that an OpenAI-compatible server answers and has a model, via <c>GET {base}/v1/models</c> (the SDK's model client).</summary>
public static class ModelHealth
{
    /// <summary>Never throws for server problems (they are reported); only the caller's cancellation throws.</summary>
    /// <param name="timeout">Bound for the whole check; default 5 s.</param>
    public static Task<ModelHealthReport> CheckAsync(string endpoint, string? model, HttpClient httpClient, string? apiKey = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CheckCoreAsync(endpoint, model, httpClient, apiKey, timeout, LlmOptions.SectionName, cancellationToken);

    private static async Task<ModelHealthReport> CheckCoreAsync(string endpoint, string? model, HttpClient httpClient, string? apiKey,
        TimeSpan? timeout, string section, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(httpClient);
        var started = Stopwatch.GetTimestamp();
        var baseUrl = ModelEndpoints.BaseUrl(endpoint);
        var wanted = string.IsNullOrWhiteSpace(model) ? null : model;
        var context = new ModelCallContext(section, baseUrl, wanted ?? "(any)", timeout ?? TimeSpan.FromSeconds(5));
        ModelHealthReport Report(bool reachable, bool present, IReadOnlyList<string> models, string message) =>
            new(baseUrl, reachable, wanted, present, models, message, Stopwatch.GetElapsedTime(started));

        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out _))
        {
            return Report(false, false, [], $"'{endpoint}' is not an absolute http(s) URL.");
        }
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(context.Timeout);
        try
        {
            var client = ModelClients.CreateOpenAiClient(baseUrl, apiKey ?? "", context, httpClient).GetOpenAIModelClient();
            var models = (await client.GetModelsAsync(timeoutSource.Token)).Value.Select(m => m.Id).ToList();
            if (wanted is null)
            {
                return Report(true, false, models, $"{baseUrl} is reachable and lists {models.Count} model(s).");
            }
            var present = models.Any(m => SameModel(m, wanted));
            var listed = models.Count == 0 ? "none" : string.Join(", ", models.Take(20));
            return Report(true, present, models, present
                ? $"{baseUrl} is reachable and has model '{wanted}'."
                : $"model '{wanted}' not found on {baseUrl} — pull it first (ollama pull {wanted}) or fix {section}:Model. Available: {listed}.");
        }
        catch (Exception ex) when (ModelErrors.TryMap(ex is OperationCanceledException && timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            ? new TimeoutException(ex.Message, ex) : ex, context, cancellationToken, out var mapped))
        {
            if (mapped is OperationCanceledException)
            {
                throw mapped;
            }
            // A 404 here is about the route, not a model.
            var message = mapped is ModelException { Kind: ModelFailureKind.ModelNotFound } && wanted is null
                ? $"{baseUrl} has no /v1/models (404) — is this an OpenAI-compatible server?"
                : mapped.Message;
            return Report(false, false, [], message);
        }
    }

    public static Task<ModelHealthReport> CheckAsync(LlmOptions options, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckAsync(options.Endpoint, options.Model, httpClient, options.ApiKey, null, cancellationToken);
    }

    public static Task<ModelHealthReport> CheckAsync(EmbeddingOptions options, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckCoreAsync(options.Endpoint, options.Model, httpClient, options.ApiKey, null, EmbeddingOptions.SectionName, cancellationToken);
    }

    /// <summary>Same model name, ignoring case and an implicit <c>:latest</c> tag.</summary>
    public static bool SameModel(string listed, string wanted)
    {
        ArgumentNullException.ThrowIfNull(listed);
        ArgumentNullException.ThrowIfNull(wanted);
        static string Normalize(string name) =>
            name.EndsWith(":latest", StringComparison.OrdinalIgnoreCase) ? name[..^":latest".Length] : name;
        return string.Equals(Normalize(listed.Trim()), Normalize(wanted.Trim()), StringComparison.OrdinalIgnoreCase);
    }
}
