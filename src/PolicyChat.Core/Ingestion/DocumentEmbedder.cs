using Microsoft.Extensions.AI;
using PolicyChat.Core.Storage;

namespace PolicyChat.Core.Ingestion;

/// <summary>
/// Embeds chunks (title + text) in batches through an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> and guards
/// the index against vectors from a different model or dimension.
/// </summary>
public sealed class DocumentEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, EmbedderInfo info, int batchSize = 32)
{
    /// <summary>Endpoint, model and dimensions; dimensions are learned from the model on first use when not configured.</summary>
    public EmbedderInfo Info { get; private set; } = info;

    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; } = generator;

    /// <summary>Throws <see cref="EmbedderMismatchException"/> when the index was built by another embedder.</summary>
    public async Task EnsureCompatibleAsync(IIndexStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (Info.Dimensions <= 0)
        {
            var probe = await Generator.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken);
            Info = Info with { Dimensions = probe[0].Vector.Length };
        }
        var recorded = await store.GetEmbedderAsync(cancellationToken);
        if (recorded is null)
        {
            var stats = await store.GetStatsAsync(cancellationToken);
            if (stats.Chunks > 0)
            {
                throw new EmbedderMismatchException(
                    $"The index holds {stats.Chunks} chunks without vectors but an embedding model ({Info.Model}) is configured. Re-index: delete the index and run 'policychat ingest' again.");
            }
            await store.SetEmbedderAsync(Info, cancellationToken);
            return;
        }
        if (!string.Equals(recorded.Model, Info.Model, StringComparison.Ordinal) || (Info.Dimensions > 0 && recorded.Dimensions != Info.Dimensions))
        {
            throw new EmbedderMismatchException(
                $"The index was built with embedding model '{recorded.Model}' ({recorded.Dimensions} dimensions) but '{Info.Model}' is configured. Re-index: delete the index and run 'policychat ingest' again, or configure '{recorded.Model}'.");
        }
        if (recorded.Tokenizer is not null && Info.Tokenizer is not null && !string.Equals(recorded.Tokenizer, Info.Tokenizer, StringComparison.Ordinal))
        {
            throw new EmbedderMismatchException(
                $"The index's chunks were sized with tokenizer '{recorded.Tokenizer}' but '{Info.Tokenizer}' is configured (Tokenizer:Path). Re-index: delete the index and run 'policychat ingest' again, or configure the tokenizer that built it.");
        }
    }

    public async Task<IndexedDocument> EmbedAsync(IndexedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var chunks = document.Chunks;
        var vectors = new float[chunks.Count][];
        for (var offset = 0; offset < chunks.Count; offset += batchSize)
        {
            var batch = chunks.Skip(offset).Take(batchSize).Select(c => document.Document.Title + "\n" + c.Text).ToList();
            var embeddings = await Generator.GenerateAsync(batch, cancellationToken: cancellationToken);
            for (var i = 0; i < embeddings.Count; i++)
            {
                vectors[offset + i] = embeddings[i].Vector.ToArray();
            }
        }
        return document with { Chunks = chunks.Select((c, i) => c with { Vector = vectors[i] }).ToList() };
    }

    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default)
    {
        var embeddings = await Generator.GenerateAsync([query], cancellationToken: cancellationToken);
        var vector = embeddings[0].Vector.ToArray();
        if (Info.Dimensions > 0 && vector.Length != Info.Dimensions)
        {
            throw new EmbedderMismatchException(
                $"The embedding model returned {vector.Length} dimensions but the index holds {Info.Dimensions}-dimensional vectors. Re-index with the configured model.");
        }
        return vector;
    }
}

public sealed class EmbedderMismatchException(string message) : Exception(message);
