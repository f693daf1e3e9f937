using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PolicyChat.Core.Models;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over <c>POST {base}/v1/embeddings</c>, spoken directly with
/// <see cref="HttpClient"/>: <c>{"model", "input": [...], "encoding_format": "float"}</c>. (The OpenAI SDK always asks
/// for base64, which Ollama before 0.12.7 ignores, so its answers fail to parse.) Inputs go in batches of
/// <see cref="EmbeddingOptions.BatchSize"/>; results come back in input order whatever order the server lists them in;
/// every vector must have the same size (and <see cref="EmbeddingOptions.Dimensions"/> when set). Failures are
/// <see cref="ModelException"/>s; cancellation by the caller stays an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class OpenAiCompatibleEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int MaxErrorBodyChars = 8 * 1024;

    private readonly EmbeddingOptions _options;
    private readonly HttpClient _httpClient;
    private readonly Uri _url;
    private readonly string _baseUrl;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <param name="httpClient">Shared client (see <see cref="ModelEndpoints.CreateHttpClient"/>); not disposed here.</param>
    public OpenAiCompatibleEmbeddingGenerator(EmbeddingOptions options, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (!options.Enabled)
        {
            throw new ArgumentException($"{EmbeddingOptions.SectionName}:Endpoint and {EmbeddingOptions.SectionName}:Model must be set to create an embedding generator.", nameof(options));
        }
        _options = options;
        _httpClient = httpClient;
        _baseUrl = ModelEndpoints.BaseUrl(options.Endpoint);
        _url = ModelEndpoints.V1(options.Endpoint, "embeddings");
        _metadata = new EmbeddingGeneratorMetadata("openai-compatible", new Uri(_baseUrl), options.Model, options.Dimensions);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        var model = options?.ModelId is { Length: > 0 } requested ? requested : _options.Model;
        var dimensions = options?.Dimensions ?? _options.Dimensions;
        var context = new ModelCallContext(EmbeddingOptions.SectionName, _baseUrl, model, TimeSpan.FromSeconds(Math.Max(1, _options.TimeoutSeconds)));
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        long inputTokens = 0;
        var sawUsage = false;
        int? size = dimensions;
        var batchSize = Math.Max(1, _options.BatchSize);

        for (var start = 0; start < inputs.Count; start += batchSize)
        {
            var batch = inputs.GetRange(start, Math.Min(batchSize, inputs.Count - start));
            var (vectors, tokens) = await EmbedBatchAsync(batch, model, dimensions, context, cancellationToken);
            foreach (var vector in vectors)
            {
                size ??= vector.Length;
                if (vector.Length != size)
                {
                    throw ModelErrors.InvalidResponse(context, dimensions is null
                        ? $"vectors of {size} and {vector.Length} dimensions in one run"
                        : $"a vector of {vector.Length} dimensions where {EmbeddingOptions.SectionName}:Dimensions is {dimensions}");
                }
                result.Add(new Embedding<float>(vector) { ModelId = model, CreatedAt = DateTimeOffset.UtcNow });
            }
            if (tokens is { } t)
            {
                inputTokens += t;
                sawUsage = true;
            }
        }
        if (sawUsage)
        {
            result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens };
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to the caller.
    }

    private async Task<(float[][] Vectors, long? Tokens)> EmbedBatchAsync(
        List<string> batch,
        string model,
        int? dimensions,
        ModelCallContext context,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url)
            {
                Content = new ByteArrayContent(RequestBody(batch, model, dimensions)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            if (!string.IsNullOrEmpty(_options.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
            }

            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var body = await ReadLimitedAsync(response.Content, timeout.Token);
                throw ModelErrors.FromStatus((int)response.StatusCode, body, context);
            }
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var document = await JsonDocument.ParseAsync(stream, default, timeout.Token);
            return ParseResponse(document.RootElement, batch.Count, context);
        }
        catch (Exception ex) when (ModelErrors.TryMap(ex, context, cancellationToken, out var mapped))
        {
            throw mapped;
        }
    }

    private static byte[] RequestBody(List<string> batch, string model, int? dimensions)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteStartArray("input");
            foreach (var text in batch)
            {
                writer.WriteStringValue(text);
            }
            writer.WriteEndArray();
            writer.WriteString("encoding_format", "float");
            if (dimensions is { } d)
            {
                writer.WriteNumber("dimensions", d);
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static (float[][] Vectors, long? Tokens) ParseResponse(JsonElement root, int expected, ModelCallContext context)
    {
        if (ModelErrors.TryGetErrorMessage(root, out var message, out var code) && !root.TryGetProperty("data", out _))
        {
            throw ModelErrors.ErrorInBody(message, code, context);
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw ModelErrors.InvalidResponse(context, "no 'data' array in the embeddings response");
        }
        if (data.GetArrayLength() != expected)
        {
            throw ModelErrors.InvalidResponse(context, $"{data.GetArrayLength()} embeddings for {expected} inputs");
        }

        var vectors = new float[expected][];
        var position = 0;
        foreach (var item in data.EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var indexElement) && indexElement.TryGetInt32(out var i) ? i : position;
            if (index < 0 || index >= expected || vectors[index] is not null)
            {
                throw ModelErrors.InvalidResponse(context, $"embedding index {index} is out of range or repeated");
            }
            if (!item.TryGetProperty("embedding", out var embedding))
            {
                throw ModelErrors.InvalidResponse(context, $"embedding {index} has no vector");
            }
            vectors[index] = ReadVector(embedding, index, context);
            position++;
        }

        long? tokens = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            && usage.TryGetProperty("prompt_tokens", out var prompt) && prompt.TryGetInt64(out var count)
            ? count
            : null;
        return (vectors, tokens);
    }

    private static float[] ReadVector(JsonElement embedding, int index, ModelCallContext context)
    {
        switch (embedding.ValueKind)
        {
            case JsonValueKind.Array:
                var vector = new float[embedding.GetArrayLength()];
                var i = 0;
                foreach (var value in embedding.EnumerateArray())
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out vector[i]) || !float.IsFinite(vector[i]))
                    {
                        throw ModelErrors.InvalidResponse(context, $"embedding {index} holds a value that is not a finite number");
                    }
                    i++;
                }
                if (vector.Length == 0)
                {
                    throw ModelErrors.InvalidResponse(context, $"embedding {index} is empty");
                }
                return vector;
            case JsonValueKind.String:
                // A server that answers base64 although we asked for floats: little-endian float32s.
                var bytes = Convert.FromBase64String(embedding.GetString() ?? "");
                if (bytes.Length == 0 || bytes.Length % sizeof(float) != 0)
                {
                    throw ModelErrors.InvalidResponse(context, $"embedding {index} is not a float32 vector");
                }
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            default:
                throw ModelErrors.InvalidResponse(context, $"embedding {index} is neither a number array nor base64");
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxErrorBodyChars];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        return new string(buffer, 0, read);
    }
}
