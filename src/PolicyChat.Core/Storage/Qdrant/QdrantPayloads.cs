using System.Globalization;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>A document's registry point: its metadata, committed chunk version and the counts behind BM25's average length.</summary>
internal sealed record RegistryEntry(
    string Id, string SourcePath, string Title, string Language, string? Date, string? Outlet, string ContentHash, DateTimeOffset IngestedAt,
    string Version, int ChunkCount, long WordCount, long NGramCount);

/// <summary>A chunk point found by one leg (or by server-side fusion).</summary>
internal sealed record Candidate(Guid PointId, string DocumentId, string Version, ChunkHit Hit);

/// <summary>Payloads, filters and vectors of the Qdrant layout, in Qdrant.Client's message types.</summary>
internal static class QdrantPayloads
{
    private static readonly LegRanks s_noRanks = new(null, null, null);

    public static readonly WithPayloadSelector AllButText = new() { Exclude = new PayloadExcludeSelector { Fields = { "text" } } };

    public static PointStruct Chunk(StoredDocument doc, string version, ChunkToIndex chunk, double averageWords, double averageNGrams)
    {
        var vectors = new Dictionary<string, Vector>();
        if (chunk.Terms.Count > 0)
        {
            vectors[QdrantIndexStore.WordsVectorName] = Sparse(QdrantSparseVectors.ForDocument(chunk.Terms, averageWords));
        }
        if (chunk.NGrams.Count > 0)
        {
            vectors[QdrantIndexStore.NGramsVectorName] = Sparse(QdrantSparseVectors.ForDocument(chunk.NGrams, averageNGrams));
        }
        if (chunk.Vector is { } dense)
        {
            vectors[QdrantIndexStore.DenseVectorName] = dense;
        }
        return Point(QdrantPointIds.Chunk(doc.Id, version, chunk.Ordinal), vectors, ("doc_id", doc.Id), ("version", version), ("ordinal", chunk.Ordinal),
            ("start", chunk.Start), ("end", chunk.End), ("text", chunk.Text), ("title", doc.Title), ("language", chunk.Language), ("date", doc.Date), ("outlet", doc.Outlet), ("page", chunk.Page));
    }

    public static PointStruct Registry(RegistryEntry e, string text)
    {
        return Point(QdrantPointIds.Document(e.Id), [], ("kind", "document"), ("doc_id", e.Id), ("source_path", e.SourcePath), ("title", e.Title),
            ("language", e.Language), ("date", e.Date), ("outlet", e.Outlet), ("content_hash", e.ContentHash), ("ingested_at", e.IngestedAt.ToString("O", CultureInfo.InvariantCulture)),
            ("version", e.Version), ("chunk_count", e.ChunkCount), ("word_count", e.WordCount), ("ngram_count", e.NGramCount), ("text", text));
    }

    public static PointStruct Embedder(EmbedderInfo embedder) => Point(QdrantPointIds.Embedder, [],
        ("kind", "embedder"), ("endpoint", embedder.Endpoint), ("model", embedder.Model), ("dimensions", embedder.Dimensions), ("tokenizer", embedder.Tokenizer));

    public static PointStruct Analyzer(int version) => Point(QdrantPointIds.Analyzer, [], ("kind", "analyzer"), ("version", version));

    public static int ReadAnalyzer(MapField<string, Value> p) => (int)Integer(p, "version");

    public static EmbedderInfo ReadEmbedder(MapField<string, Value> p) => new(Str(p, "endpoint"), Str(p, "model"), (int)Integer(p, "dimensions"), Optional(p, "tokenizer"));

    public static RegistryEntry ReadRegistry(MapField<string, Value> p) => new(
        Str(p, "doc_id"), Str(p, "source_path"), Str(p, "title"), Str(p, "language"), Optional(p, "date"), Optional(p, "outlet"),
        Str(p, "content_hash"), DateTimeOffset.Parse(Str(p, "ingested_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        Str(p, "version"), (int)Integer(p, "chunk_count"), Integer(p, "word_count"), Integer(p, "ngram_count"));

    public static Candidate ReadCandidate(ScoredPoint point)
    {
        var p = point.Payload;
        var hit = new ChunkHit(Str(p, "doc_id"), (int)Integer(p, "ordinal"), (int)Integer(p, "start"), (int)Integer(p, "end"), Str(p, "text"),
            Str(p, "title"), Str(p, "language"), Optional(p, "date"), Optional(p, "outlet"), point.Score, s_noRanks)
        {
            Page = p.TryGetValue("page", out var page) && page.KindCase == Value.KindOneofCase.IntegerValue ? (int)page.IntegerValue : null,
        };
        return new Candidate(Guid.Parse(point.Id.Uuid), hit.DocumentId, Str(p, "version"), hit);
    }

    public static string Str(MapField<string, Value> p, string key) => Optional(p, key) ?? "";

    /// <summary>Document-id and language conditions of a search or listing; null when there are none.</summary>
    public static Filter? FromSearchFilter(SearchFilter? filter, Condition? also = null)
    {
        Condition?[] conditions =
        [
            also,
            filter?.DocumentIds is { Count: > 0 } ids ? Conditions.Match("doc_id", ids.Distinct(StringComparer.Ordinal).ToList()) : null,
            filter?.Languages is { Count: > 0 } languages ? Conditions.Match("language", languages.Distinct(StringComparer.Ordinal).ToList()) : null,
        ];
        return conditions.Any(c => c is not null) ? new Filter { Must = { conditions.OfType<Condition>() } } : null;
    }

    /// <summary>Qdrant's sparse vector (values, indices) from ours.</summary>
    public static Vector Sparse(QdrantSparseVector v) => (v.Values, v.Indices);

    /// <summary>A point with named vectors and a payload of strings and integers; null values are left out.</summary>
    private static PointStruct Point(Guid id, Dictionary<string, Vector> vectors, params (string Key, object? Value)[] payload)
    {
        var point = new PointStruct { Id = id, Vectors = vectors };
        foreach (var (key, value) in payload.Where(p => p.Value is not null))
        {
            point.Payload[key] = value is string text ? text : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
        return point;
    }

    private static string? Optional(MapField<string, Value> p, string key) =>
        p.TryGetValue(key, out var v) && v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : null;

    private static long Integer(MapField<string, Value> p, string key) =>
        p.TryGetValue(key, out var v) ? v.KindCase == Value.KindOneofCase.DoubleValue ? (long)v.DoubleValue : v.IntegerValue : 0;
}
