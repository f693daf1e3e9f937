using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;

namespace PolicyChat.Core.Models;

/// <summary>
/// Embeddings through the OpenAI SDK's embedding client as an M.E.AI generator, for OpenAI-compatible servers. What is
/// ours: inputs go in batches of <see cref="EmbeddingOptions.BatchSize"/>; failures become <see cref="ModelException"/>s;
/// every vector must have the same size (and <see cref="EmbeddingOptions.Dimensions"/> when set), one per input; and
/// the <see cref="FloatEmbeddingsPolicy"/> for servers that ignore the SDK's <c>encoding_format: base64</c>.
/// </summary>
public sealed class OpenAiCompatibleEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingOptions _options;
    private readonly ModelCallContext _context;

    /// <param name="httpClient">Shared client (see <see cref="ModelEndpoints.CreateHttpClient"/>); not disposed here.</param>
    public OpenAiCompatibleEmbeddingGenerator(EmbeddingOptions options, HttpClient httpClient)
        : base(Create(options, httpClient, out var context))
    {
        _options = options;
        _context = context;
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        var size = options?.Dimensions ?? _options.Dimensions;
        for (var start = 0; start < inputs.Count; start += _options.BatchSize)
        {
            var batch = inputs.GetRange(start, Math.Min(_options.BatchSize, inputs.Count - start));
            GeneratedEmbeddings<Embedding<float>> embedded;
            try
            {
                embedded = await base.GenerateAsync(batch, options, cancellationToken);
            }
            catch (Exception ex) when (ModelErrors.TryMap(ex, _context, cancellationToken, out var mapped))
            {
                throw mapped;
            }
            if (embedded.Count != batch.Count)
            {
                throw ModelErrors.InvalidResponse(_context, $"{embedded.Count} embeddings for {batch.Count} inputs");
            }
            foreach (var embedding in embedded)
            {
                size ??= embedding.Vector.Length;
                if (embedding.Vector.Length != size || size == 0)
                {
                    throw ModelErrors.InvalidResponse(_context, _options.Dimensions is { } d && options?.Dimensions is null
                        ? $"a vector of {embedding.Vector.Length} dimensions where {EmbeddingOptions.SectionName}:Dimensions is {d}"
                        : $"vectors of {size} and {embedding.Vector.Length} dimensions in one run");
                }
                result.Add(embedding);
            }
            if (embedded.Usage is { } usage)
            {
                result.Usage ??= new UsageDetails();
                result.Usage.Add(usage);
            }
        }
        return result;
    }

    private static IEmbeddingGenerator<string, Embedding<float>> Create(EmbeddingOptions options, HttpClient httpClient, out ModelCallContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (!options.Enabled)
        {
            throw new ArgumentException($"{EmbeddingOptions.SectionName}:Endpoint and {EmbeddingOptions.SectionName}:Model must be set to create an embedding generator.", nameof(options));
        }
        context = new ModelCallContext(EmbeddingOptions.SectionName, ModelEndpoints.BaseUrl(options.Endpoint), options.Model, TimeSpan.FromSeconds(options.TimeoutSeconds));
        return ModelClients.CreateOpenAiClient(options.Endpoint, options.ApiKey, context, httpClient, new FloatEmbeddingsPolicy())
            .GetEmbeddingClient(options.Model).AsIEmbeddingGenerator(options.Dimensions);
    }

    /// <summary>
    /// The SDK always asks for base64 vectors and cannot read float arrays, which servers that ignore
    /// <c>encoding_format</c> send (Ollama before 0.12.7), nor does it order results by their <c>index</c>: rewrites
    /// answers to base64 vectors in index order.
    /// </summary>
    private sealed class FloatEmbeddingsPolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
            ProcessAsync(message, pipeline, currentIndex).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            // Unbuffered, so the body can be replaced before the SDK reads it.
            message.BufferResponse = false;
            await ProcessNextAsync(message, pipeline, currentIndex);
            message.BufferResponse = true;
            if (message.Response is not { ContentStream: { } stream } response)
            {
                return;
            }
            using var body = new MemoryStream();
            await stream.CopyToAsync(body, message.CancellationToken);
            response.ContentStream = new MemoryStream(response.IsError ? body.ToArray() : Rewrite(body.ToArray()));
            await response.BufferContentAsync(message.CancellationToken);
        }

        private static byte[] Rewrite(byte[] body)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                return body; // the SDK reports it
            }
            if (root?["data"] is not JsonArray data)
            {
                return body;
            }
            var items = data.Select((d, i) => (Index: d?["index"]?.GetValue<int>() ?? i, Item: d!)).OrderBy(x => x.Index).ToList();
            data.Clear();
            foreach (var (_, item) in items)
            {
                if (item["embedding"] is JsonArray floats)
                {
                    var vector = floats.Select(f => f!.GetValue<float>()).ToArray();
                    item["embedding"] = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                data.Add(item);
            }
            return JsonSerializer.SerializeToUtf8Bytes(root);
        }
    }
}
