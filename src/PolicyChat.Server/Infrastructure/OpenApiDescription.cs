using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using PolicyChat.Server.Security;

namespace PolicyChat.Server.Infrastructure;

/// <summary>
/// Completes the generated OpenAPI document (/openapi/v1.json) so that every operation is described as it behaves:
/// the API-key security scheme on every protected operation, the problem responses each can return (400, 401, 403,
/// 404, 413, 415, 429, 500 as application/problem+json with <c>code</c> and <c>language</c>), the Server-Sent Events of
/// the streaming operations, and integers typed as integers (not "integer or string").
/// </summary>
public static class OpenApiDescription
{
    public const string BearerScheme = "ApiKeyBearer";
    public const string HeaderScheme = "ApiKeyHeader";
    public const string ProblemSchema = "ProblemDetails";
    public const string EventStream = "text/event-stream";
    public const string ProblemJson = "application/problem+json";

    /// <summary>Operations that stream Server-Sent Events, with what their events carry.</summary>
    private static readonly Dictionary<string, string> s_eventStreams = new(StringComparer.Ordinal)
    {
        ["AskStream"] = "Server-Sent Events: `event: sources|delta|citations|done|error` and `data: <AnswerEvent as JSON>` (snake_case). "
            + "The stream ends after `done` or `error`.",
        ["ChatCompletions"] = "With `\"stream\": true`: Server-Sent Events, each `data: <chat.completion.chunk JSON>`, ending with `data: [DONE]`. "
            + "The last chunk carries `citations`, `conversation_id` and `mode`.",
    };

    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddSchemaTransformer((schema, _, _) =>
        {
            IntegersAsIntegers(schema);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(DescribeOperationAsync);
        options.AddDocumentTransformer((document, _, _) =>
        {
            DescribeDocument(document);
            return Task.CompletedTask;
        });
    }

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "PolicyChat";
        document.Info.Description = "Questions answered from technology-policy documents with verified citations. Errors are "
            + "RFC 9457 problem details whose `detail` is in the caller's language (Accept-Language: ar or en) and whose `code` is stable.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key as a bearer token: `Authorization: Bearer <key>`. Administrator keys are needed for uploads, deletes and the feedback export. "
                + "When the server has no keys configured, no key is needed.",
        };
        document.Components.SecuritySchemes[HeaderScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyHeaderName,
            Description = "The same API key in the X-Api-Key header.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        foreach (var schema in document.Components.Schemas.Values.OfType<OpenApiSchema>())
        {
            Walk(schema, IntegersAsIntegers);
        }
    }

    private const string ApiKeyHeaderName = "X-Api-Key";

    private static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        operation.Responses ??= [];
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        var allowAnonymous = metadata.OfType<IAllowAnonymous>().Any();
        if (authorize.Count > 0 && !allowAnonymous)
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, document)] = [] },
            ];
            AddProblem(operation, document, StatusCodes.Status401Unauthorized, "No API key, or a key the server does not know.");
            if (authorize.Any(a => a.Policy == ApiKeyDefaults.AdminPolicy))
            {
                AddProblem(operation, document, StatusCodes.Status403Forbidden, "The key is not an administrator key, or the request came from another site's page.");
            }
        }
        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            AddProblem(operation, document, StatusCodes.Status429TooManyRequests, "Too many requests for this key (or address); wait and retry.");
        }
        if (operation.RequestBody is not null || operation.Parameters is { Count: > 0 })
        {
            AddProblem(operation, document, StatusCodes.Status400BadRequest, "The request is not valid; `detail` says what to fix.");
        }
        if (operation.RequestBody?.Content?.ContainsKey("multipart/form-data") == true)
        {
            AddProblem(operation, document, StatusCodes.Status413PayloadTooLarge, "The upload is larger than the server's limit.");
            AddProblem(operation, document, StatusCodes.Status415UnsupportedMediaType, "Not multipart/form-data, or a file type the server cannot read.");
        }
        if (operation.Parameters?.Any(p => p.In == ParameterLocation.Path) == true)
        {
            AddProblem(operation, document, StatusCodes.Status404NotFound, "Nothing with this id.");
        }
        AddProblem(operation, document, StatusCodes.Status500InternalServerError, "The server failed; the message never contains internal details.");

        if (operation.OperationId == "Ready" && operation.Responses.TryGetValue("200", out var ready) && ready is OpenApiResponse readyResponse)
        {
            operation.Responses["503"] = new OpenApiResponse
            {
                Description = "The index could not be opened; the body says what is (not) ready.",
                Content = readyResponse.Content,
            };
        }
        if (operation.OperationId is { } id && s_eventStreams.TryGetValue(id, out var events))
        {
            await DescribeEventStreamAsync(operation, context, id, events, cancellationToken);
        }
        foreach (var (code, response) in operation.Responses)
        {
            if (response is OpenApiResponse concrete && string.IsNullOrEmpty(concrete.Description))
            {
                concrete.Description = code.StartsWith('2') ? "Success." : "A problem (RFC 9457).";
            }
            if (code.Length == 3 && code[0] is '4' or '5' && code != "503" && response is OpenApiResponse problem)
            {
                problem.Content ??= new Dictionary<string, OpenApiMediaType>();
                problem.Content.Clear();
                problem.Content[ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) };
            }
        }
    }

    private static async Task DescribeEventStreamAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, string id, string events,
        CancellationToken cancellationToken)
    {
        var ok = operation.Responses!.TryGetValue("200", out var existing) && existing is OpenApiResponse response ? response : new OpenApiResponse();
        ok.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (id == "ChatCompletions" && !ok.Content.ContainsKey("application/json"))
        {
            ok.Content["application/json"] = new OpenApiMediaType
            {
                Schema = await context.GetOrCreateSchemaAsync(typeof(Apis.ChatCompletion), null, cancellationToken),
            };
        }
        ok.Content[EventStream] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = events },
        };
        ok.Description = id == "ChatCompletions" ? "The completion as JSON, or with `\"stream\": true` as Server-Sent Events. " + events : events;
        operation.Responses["200"] = ok;
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument? document, int status, string description)
    {
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(code, out var existing))
        {
            if (existing is OpenApiResponse response && string.IsNullOrEmpty(response.Description))
            {
                response.Description = description;
            }
            return;
        }
        operation.Responses[code] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
    }

    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details. Under /v1 the problem also carries OpenAI's `error` object.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong and what to do, in the caller's language." },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A stable machine-readable code, e.g. empty_question." },
            ["language"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The language of `detail`: ar or en." },
        },
        Required = new HashSet<string> { "status", "detail", "code" },
    };

    /// <summary>"integer or string with a digits pattern" (numbers that may be read from strings) becomes "integer".</summary>
    private static void IntegersAsIntegers(OpenApiSchema schema)
    {
        if (schema.Type is { } type && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)) && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
    }

    private static void Walk(OpenApiSchema schema, Action<OpenApiSchema> visit)
    {
        visit(schema);
        foreach (var child in (schema.Properties?.Values ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? []).Concat(schema.AllOf ?? [])
            .Append(schema.Items).Append(schema.AdditionalProperties).OfType<OpenApiSchema>())
        {
            Walk(child, visit);
        }
    }
}
