namespace PolicyChat.Core.Models;

/// <summary>The outcome of <see cref="ModelHealth.CheckAsync(string, string?, HttpClient, string?, TimeSpan?, CancellationToken)"/>.</summary>
/// <param name="Endpoint">The base URL checked.</param>
/// <param name="Reachable">The server answered <c>GET /v1/models</c> with a model list.</param>
/// <param name="Model">The model looked for, or null when none was asked about.</param>
/// <param name="Healthy">Reachable, and the model (when one was asked about) is in the list (a missing tag matches <c>:latest</c>).</param>
/// <param name="Message">One English line for operators: what is wrong and how to fix it, or that all is well.</param>
public sealed record ModelHealthReport(string Endpoint, bool Reachable, string? Model, bool Healthy, string Message);

/// <summary>Checks that an OpenAI-compatible server answers and has a model, via <c>GET {base}/v1/models</c> (the SDK's model client).</summary>
public static class ModelHealth
{
    /// <summary>
    /// Never throws for server problems (they are reported); only the caller's cancellation throws, and an endpoint that
    /// is not an absolute URL (<see cref="ModelServerOptions.Validate"/> rules that out at start-up).
    /// </summary>
    /// <param name="timeout">Bound for the whole check; default 5 s.</param>
    public static async Task<ModelHealthReport> CheckAsync(string endpoint, string? model, HttpClient httpClient, string? apiKey = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        var baseUrl = ModelEndpoints.BaseUrl(endpoint); // throws for a null endpoint
        var wanted = string.IsNullOrWhiteSpace(model) ? null : model;
        var context = new ModelCallContext(LlmOptions.SectionName, baseUrl, wanted ?? "(any)", timeout ?? TimeSpan.FromSeconds(5));
        var client = ModelClients.CreateOpenAiClient(apiKey ?? "", context, httpClient).GetOpenAIModelClient();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(context.Timeout);
        try
        {
            var listed = await ModelErrors.MapFailuresAsync(() => client.GetModelsAsync(timeoutSource.Token), context, cancellationToken);
            var models = listed.Value.Select(m => m.Id).ToList();
            var present = wanted is null || models.Any(m => SameModel(m, wanted));
            return new(baseUrl, true, wanted, present, wanted is null ? $"{baseUrl} is reachable and lists {models.Count} model(s)."
                : present ? $"{baseUrl} is reachable and has model '{wanted}'."
                : $"model '{wanted}' not found on {baseUrl} — pull it first (ollama pull {wanted}) or fix {LlmOptions.SectionName}:Model. Available: {(models.Count == 0 ? "none" : string.Join(", ", models.Take(20)))}.");
        }
        catch (ModelException failure)
        {
            // A 404 here is about the route, not a model.
            return new(baseUrl, false, wanted, false, failure.Kind == ModelFailureKind.ModelNotFound && wanted is null
                ? $"{baseUrl} has no /v1/models (404) — is this an OpenAI-compatible server?"
                : failure.Message);
        }
    }

    public static Task<ModelHealthReport> CheckAsync(LlmOptions options, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckAsync(options.Endpoint, options.Model, httpClient, options.ApiKey, null, cancellationToken);
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
