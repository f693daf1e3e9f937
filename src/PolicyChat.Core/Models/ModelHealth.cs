using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

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

/// <summary>Checks that an OpenAI-compatible server answers and has a model, via <c>GET {base}/v1/models</c>.</summary>
public static class ModelHealth
{
    /// <summary>Never throws for server problems (they are reported); only the caller's cancellation throws.</summary>
    /// <param name="timeout">Bound for the whole check; default 5 s.</param>
    public static Task<ModelHealthReport> CheckAsync(
        string endpoint,
        string? model,
        HttpClient httpClient,
        string? apiKey = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        CheckCoreAsync(LlmOptions.SectionName, endpoint, model, httpClient, apiKey, timeout, cancellationToken);

    public static Task<ModelHealthReport> CheckAsync(LlmOptions options, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckCoreAsync(LlmOptions.SectionName, options.Endpoint, options.Model, httpClient, options.ApiKey, null, cancellationToken);
    }

    public static Task<ModelHealthReport> CheckAsync(EmbeddingOptions options, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckCoreAsync(EmbeddingOptions.SectionName, options.Endpoint, options.Model, httpClient, options.ApiKey, null, cancellationToken);
    }

    private static async Task<ModelHealthReport> CheckCoreAsync(
        string section,
        string endpoint,
        string? model,
        HttpClient httpClient,
        string? apiKey,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
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
            using var request = new HttpRequestMessage(HttpMethod.Get, ModelEndpoints.V1(baseUrl, "models"));
            if (!string.IsNullOrEmpty(apiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            var body = await response.Content.ReadAsStringAsync(timeoutSource.Token);
            if (!response.IsSuccessStatusCode)
            {
                var error = ModelErrors.FromStatus((int)response.StatusCode, body, context);
                // A 404 here is about the route, not a model.
                var message = error.Kind == ModelFailureKind.ModelNotFound && wanted is null
                    ? $"{baseUrl} has no /v1/models (404) — is this an OpenAI-compatible server?"
                    : error.Message;
                return Report(false, false, [], message);
            }

            var models = ParseModelIds(body);
            if (models is null)
            {
                return Report(false, false, [], $"{baseUrl}/v1/models did not return a model list — is this an OpenAI-compatible server?");
            }
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
        catch (Exception ex) when (ModelErrors.TryMap(ex, context, cancellationToken, out var mapped))
        {
            if (mapped is OperationCanceledException)
            {
                throw mapped;
            }
            return Report(false, false, [], mapped.Message);
        }
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

    private static List<string>? ParseModelIds(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("data", out var data)
                || data.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            var ids = new List<string>();
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    ids.Add(id.GetString()!);
                }
            }
            return ids;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
