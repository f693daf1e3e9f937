using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>One request as the fake saw it.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, string? OperationId, string? ApiKey, string Body)
{
    public string? Collection { get; init; }
}

/// <summary>An injected failure: after <see cref="Skip"/> matching requests, the next <see cref="Times"/> get this answer.</summary>
internal sealed class FaultRule
{
    public required Func<RecordedRequest, bool> When { get; init; }

    public int Skip { get; set; }

    public int Times { get; set; } = 1;

    public int Status { get; init; } = 503;

    public string Body { get; init; } = """{"status":{"error":"Service Unavailable: injected by the test"},"time":0.0}""";

    public string ContentType { get; init; } = "application/json";

    /// <summary>Delay before answering (to provoke client timeouts); the answer is then the normal one when <see cref="Status"/> is 0.</summary>
    public TimeSpan Delay { get; init; }

    public int Fired { get; set; }
}

/// <summary>
/// A loopback Qdrant for tests: Kestrel on 127.0.0.1 with an ephemeral port. Every request is routed through the
/// official openapi-v1.19.json (path template → operation), its query parameters and JSON body are validated against
/// the operation's schema (violations answer 422 and are collected in <see cref="SchemaErrors"/>), the operation runs
/// on <see cref="FakeQdrantEngine"/>, and the answer is validated against the documented 200 response schema too.
/// </summary>
internal sealed partial class FakeQdrantServer : IAsyncDisposable
{
    private static readonly Lazy<OpenApiSchemaValidator> s_schema = new(() => OpenApiSchemaValidator.Load(SchemaPath()));

    private static readonly Lazy<List<Route>> s_routes = new(BuildRoutes);

    private readonly WebApplication _app;
    private readonly List<FaultRule> _faults = [];
    private int _readyzCalls;

    private FakeQdrantServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static OpenApiSchemaValidator Schema => s_schema.Value;

    /// <summary>
    /// TestPaths.Shared + /reference/qdrant/openapi-v1.19.json; when the repository is a worktree nested deeper than
    /// the shared folder (e.g. /work/wt/NAME with /work/shared), the nearest "shared" folder above the repository.
    /// </summary>
    public static string SchemaPath()
    {
        const string relative = "reference/qdrant/openapi-v1.19.json";
        var candidate = Path.Combine(TestPaths.Shared, relative);
        for (var dir = new DirectoryInfo(TestPaths.RepoRoot).Parent; !File.Exists(candidate) && dir is not null; dir = dir.Parent)
        {
            var nested = Path.Combine(dir.FullName, "shared", relative);
            if (File.Exists(nested))
            {
                candidate = nested;
            }
        }
        return File.Exists(candidate) ? candidate : throw new FileNotFoundException("The official Qdrant schema was not found beside the repository", candidate);
    }

    public string Url { get; }

    public FakeQdrantEngine Engine { get; } = new();

    /// <summary>When set, requests other than /readyz and /healthz without this api-key get a plain-text 401.</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>GET /readyz answers 503 this many times before 200.</summary>
    public int ReadyzFailures { get; set; }

    public int ReadyzCalls => _readyzCalls;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<string> SchemaErrors { get; } = new();

    public static async Task<FakeQdrantServer> StartAsync()
    {
        _ = s_routes.Value; // load and index the schema before the first request
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeQdrantServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeQdrantServer(app, address);
        return server;
    }

    public FaultRule AddFault(FaultRule rule)
    {
        lock (_faults)
        {
            _faults.Add(rule);
        }
        return rule;
    }

    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        var path = request.Path.Value ?? "/";
        var route = Match(request.Method, path, out var pathParameters);
        var recorded = new RecordedRequest(request.Method, path, request.QueryString.Value ?? "", route?.OperationId,
            request.Headers.TryGetValue("api-key", out var key) ? key.ToString() : null, body)
        {
            Collection = pathParameters.GetValueOrDefault("collection_name"),
        };
        Requests.Enqueue(recorded);

        FaultRule? fault = null;
        lock (_faults)
        {
            foreach (var rule in _faults)
            {
                if (!rule.When(recorded))
                {
                    continue;
                }
                if (rule.Skip > 0)
                {
                    rule.Skip--;
                    continue;
                }
                if (rule.Times > 0)
                {
                    rule.Times--;
                    rule.Fired++;
                    fault = rule;
                    break;
                }
            }
        }
        if (fault is not null)
        {
            if (fault.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(fault.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            if (fault.Status != 0)
            {
                await WriteAsync(context, fault.Status, fault.ContentType, fault.Body);
                return;
            }
        }

        if (route?.OperationId is "readyz" or "healthz" or "livez")
        {
            var ready = route.OperationId != "readyz" || Interlocked.Increment(ref _readyzCalls) > ReadyzFailures;
            await WriteAsync(context, ready ? 200 : 503, "text/plain", ready ? "all shards are ready" : "some shards are not ready");
            return;
        }
        if (RequiredApiKey is not null && recorded.ApiKey != RequiredApiKey)
        {
            await WriteAsync(context, 401, "text/plain", "Must provide an API key or an Authorization bearer token");
            return;
        }
        if (route is null)
        {
            await WriteErrorAsync(context, 404, $"Not found: no operation {request.Method} {path} in openapi-v1.19.json");
            return;
        }

        var errors = ValidateQuery(route, request.Query);
        JsonNode? bodyNode = null;
        if (body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (route.BodySchema is { } bodySchema)
                {
                    errors.AddRange(Schema.Validate(document.RootElement, bodySchema));
                }
                else
                {
                    errors.Add("this operation takes no body");
                }
                bodyNode = JsonNode.Parse(body);
            }
            catch (JsonException ex)
            {
                errors.Add("body is not JSON: " + ex.Message);
            }
        }
        else if (route.BodyRequired)
        {
            errors.Add("a JSON body is required");
        }
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                SchemaErrors.Enqueue($"{request.Method} {path}: {error}");
            }
            await WriteErrorAsync(context, 422, "Json deserialize error: " + string.Join("; ", errors));
            return;
        }

        JsonNode? result;
        try
        {
            result = Engine.Execute(route.OperationId, pathParameters, bodyNode);
        }
        catch (FakeQdrantError ex)
        {
            await WriteErrorAsync(context, ex.Status, ex.Message);
            return;
        }
        var envelope = new JsonObject { ["result"] = result, ["status"] = "ok", ["time"] = 0.0001 };
        var text = envelope.ToJsonString();
        if (route.ResponseSchema is { } responseSchema)
        {
            using var document = JsonDocument.Parse(text);
            foreach (var error in Schema.Validate(document.RootElement, responseSchema))
            {
                SchemaErrors.Enqueue($"response of {request.Method} {path}: {error}");
            }
        }
        await WriteAsync(context, 200, "application/json", text);
    }

    private static List<string> ValidateQuery(Route route, IQueryCollection query)
    {
        var errors = new List<string>();
        foreach (var (name, values) in query)
        {
            if (!route.QueryParameters.TryGetValue(name, out var schema))
            {
                errors.Add($"unknown query parameter '{name}'");
                continue;
            }
            var resolved = Schema.Resolve(schema);
            var type = resolved.TryGetProperty("type", out var t) ? t.GetString() : null;
            var value = values.ToString();
            if ((type == "boolean" && value is not ("true" or "false")) || (type == "integer" && !long.TryParse(value, out _)))
            {
                errors.Add($"query parameter '{name}={value}' is not a {type}");
            }
        }
        return errors;
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, "application/json", new JsonObject { ["status"] = new JsonObject { ["error"] = message }, ["time"] = 0.0 }.ToJsonString());

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static Route? Match(string method, string path, out Dictionary<string, string> parameters)
    {
        parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in s_routes.Value)
        {
            if (!string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var match = route.Pattern.Match(path);
            if (match.Success)
            {
                foreach (var name in route.Pattern.GetGroupNames().Where(n => !int.TryParse(n, out _)))
                {
                    parameters[name] = Uri.UnescapeDataString(match.Groups[name].Value);
                }
                return route;
            }
        }
        return null;
    }

    private static List<Route> BuildRoutes()
    {
        var routes = new List<Route>();
        foreach (var pathItem in Schema.Root.GetProperty("paths").EnumerateObject())
        {
            var pattern = new Regex("^" + TemplateParameter().Replace(Regex.Escape(pathItem.Name).Replace(@"\{", "{", StringComparison.Ordinal), "(?<$1>[^/]+)") + "$");
            foreach (var operation in pathItem.Value.EnumerateObject())
            {
                var op = operation.Value;
                var queryParameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (op.TryGetProperty("parameters", out var parameters))
                {
                    foreach (var parameter in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query"))
                    {
                        queryParameters[parameter.GetProperty("name").GetString()!] = parameter.GetProperty("schema");
                    }
                }
                JsonElement? bodySchema = null;
                var bodyRequired = false;
                if (op.TryGetProperty("requestBody", out var requestBody) && requestBody.GetProperty("content").TryGetProperty("application/json", out var json))
                {
                    bodySchema = json.GetProperty("schema");
                    bodyRequired = requestBody.TryGetProperty("required", out var r) && r.GetBoolean();
                }
                JsonElement? responseSchema = null;
                if (op.TryGetProperty("responses", out var responses) && responses.TryGetProperty("200", out var ok)
                    && ok.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var okJson))
                {
                    responseSchema = okJson.GetProperty("schema");
                }
                routes.Add(new Route(operation.Name.ToUpperInvariant(), pattern, op.GetProperty("operationId").GetString()!,
                    queryParameters, bodySchema, bodyRequired, responseSchema, pattern.GetGroupNumbers().Length));
            }
        }
        // Literal segments win over parameters: /points/scroll before /points/{id}.
        return routes.OrderBy(r => r.ParameterCount).ToList();
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex TemplateParameter();

    private sealed record Route(
        string Method, Regex Pattern, string OperationId, Dictionary<string, JsonElement> QueryParameters,
        JsonElement? BodySchema, bool BodyRequired, JsonElement? ResponseSchema, int ParameterCount);
}
