using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace PolicyChat.Server.Tests;

/// <summary>/openapi/v1.json is a valid OpenAPI document that describes every operation completely.</summary>
public sealed class OpenApiDocumentTests(ExtractiveServerFixture server) : IClassFixture<ExtractiveServerFixture>
{
    private static readonly HashSet<string> s_public = ["/healthz", "/readyz"];

    private async Task<(OpenApiDocument Document, string Json)> LoadAsync()
    {
        using var client = server.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        var result = OpenApiDocument.Parse(json, "json", new OpenApiReaderSettings());
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        Assert.NotNull(result.Document);
        return (result.Document, json);
    }

    [Fact]
    public async Task Document_IsValidOpenApi()
    {
        var (document, _) = await LoadAsync();

        var errors = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [Fact]
    public async Task Document_DescribesEveryMappedEndpoint()
    {
        var (document, _) = await LoadAsync();
        var endpoints = server.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/hubs", StringComparison.Ordinal) && !raw.StartsWith("/openapi", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(endpoints);

        foreach (var endpoint in endpoints)
        {
            var path = "/" + endpoint.RoutePattern.RawText!.Trim('/').Replace(":int", "", StringComparison.Ordinal);
            Assert.True(document.Paths.TryGetValue(path, out var item), $"{path} is not in the OpenAPI document");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(item!.Operations!.ContainsKey(HttpMethod.Parse(method)), $"{method} {path} is not in the OpenAPI document");
            }
        }
    }

    [Fact]
    public async Task EveryOperation_HasIdSummarySuccessProblemsAndSecurity()
    {
        var (document, _) = await LoadAsync();
        Assert.Contains(OpenApiDescriptionNames.Bearer, document.Components!.SecuritySchemes!.Keys);
        var bearer = document.Components.SecuritySchemes[OpenApiDescriptionNames.Bearer];
        Assert.Equal(SecuritySchemeType.Http, bearer.Type);
        Assert.Equal("bearer", bearer.Scheme);
        var header = document.Components.SecuritySchemes[OpenApiDescriptionNames.Header];
        Assert.Equal((SecuritySchemeType.ApiKey, ParameterLocation.Header, "X-Api-Key"), (header.Type!.Value, header.In!.Value, header.Name));

        var count = 0;
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!)
            {
                count++;
                var name = $"{method} {path}";
                Assert.False(string.IsNullOrWhiteSpace(operation.OperationId), name + ": no operationId");
                Assert.False(string.IsNullOrWhiteSpace(operation.Summary), name + ": no summary");
                var responses = operation.Responses!;
                Assert.Contains(responses.Keys, k => k.StartsWith('2'));
                Assert.Contains("500", responses.Keys);
                foreach (var (code, response) in responses)
                {
                    Assert.False(string.IsNullOrWhiteSpace(response.Description), $"{name} {code}: no description");
                    if (code[0] is '4' or '5' && code != "503")
                    {
                        Assert.True(response.Content?.ContainsKey("application/problem+json") == true, $"{name} {code}: not a problem response");
                        Assert.Equal(OpenApiDescriptionNames.Problem, (response.Content!["application/problem+json"].Schema as OpenApiSchemaReference)?.Reference.Id);
                    }
                }
                if (operation.RequestBody is not null || operation.Parameters is { Count: > 0 })
                {
                    Assert.True(responses.ContainsKey("400"), name + ": takes input but has no 400");
                }
                if (s_public.Contains(path))
                {
                    Assert.True(operation.Security is null or { Count: 0 }, name + " should need no key");
                    continue;
                }
                Assert.True(operation.Security is { Count: > 0 }, name + ": no security requirement");
                Assert.Contains("401", responses.Keys);
                Assert.Contains("429", responses.Keys);
            }
        }
        Assert.True(count >= 19, $"only {count} operations");
    }

    [Fact]
    public async Task Uploads_Deletes_AndFeedbackExport_DescribeTheAdministratorKey()
    {
        var (document, _) = await LoadAsync();
        foreach (var (path, method) in new[] { ("/api/documents", HttpMethod.Post), ("/api/documents/{id}", HttpMethod.Delete), ("/api/documents/{id}/reindex", HttpMethod.Post), ("/api/feedback", HttpMethod.Get) })
        {
            Assert.Contains("403", document.Paths[path].Operations![method].Responses!.Keys);
        }
        var upload = document.Paths["/api/documents"].Operations![HttpMethod.Post].Responses!;
        Assert.Contains("413", upload.Keys);
        Assert.Contains("415", upload.Keys);
    }

    [Fact]
    public async Task StreamingOperations_DescribeJsonAndEventStreamResponses()
    {
        var (document, _) = await LoadAsync();

        var chat = document.Paths["/v1/chat/completions"].Operations![HttpMethod.Post].Responses!["200"].Content!;
        Assert.Contains("application/json", chat.Keys);
        Assert.Contains("text/event-stream", chat.Keys);
        Assert.NotNull(chat["application/json"].Schema?.Properties);
        Assert.Contains("choices", chat["application/json"].Schema!.Properties!.Keys);
        Assert.Contains("[DONE]", chat["text/event-stream"].Schema!.Description, StringComparison.Ordinal);

        var ask = document.Paths["/api/ask/stream"].Operations![HttpMethod.Post].Responses!["200"].Content!;
        Assert.Contains("text/event-stream", ask.Keys);
        Assert.Contains("sources|delta|citations|done|error", ask["text/event-stream"].Schema!.Description, StringComparison.Ordinal);
        Assert.Contains("503", document.Paths["/readyz"].Operations![HttpMethod.Get].Responses!.Keys);
    }

    [Fact]
    public async Task Integers_AreTypedAsIntegersOnly()
    {
        var (document, json) = await LoadAsync();

        var chunkCount = document.Components!.Schemas!["DocumentJson"].Properties!["chunk_count"];
        Assert.Equal(JsonSchemaType.Integer, chunkCount.Type);
        Assert.Null(chunkCount.Pattern);
        var status = document.Components.Schemas[OpenApiDescriptionNames.Problem].Properties!["status"];
        Assert.Equal(JsonSchemaType.Integer, status.Type);
        // Nowhere in the document is a number also allowed to be a string.
        using var parsed = System.Text.Json.JsonDocument.Parse(json);
        var mixed = new List<string>();
        FindMixedTypes(parsed.RootElement, "#", mixed);
        Assert.True(mixed.Count == 0, string.Join("\n", mixed));
    }

    private static void FindMixedTypes(System.Text.Json.JsonElement element, string pointer, List<string> found)
    {
        if (element.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            if (element.TryGetProperty("type", out var type) && type.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                var types = type.EnumerateArray().Select(t => t.GetString()).ToList();
                if (types.Contains("string") && (types.Contains("integer") || types.Contains("number")))
                {
                    found.Add(pointer);
                }
            }
            foreach (var property in element.EnumerateObject())
            {
                FindMixedTypes(property.Value, pointer + "/" + property.Name, found);
            }
        }
        else if (element.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                FindMixedTypes(item, $"{pointer}/{i++}", found);
            }
        }
    }
}

/// <summary>The names the server's OpenAPI description uses (kept here so the test reads on its own).</summary>
internal static class OpenApiDescriptionNames
{
    public const string Bearer = Infrastructure.OpenApiDescription.BearerScheme;
    public const string Header = Infrastructure.OpenApiDescription.HeaderScheme;
    public const string Problem = Infrastructure.OpenApiDescription.ProblemSchema;
}
