using Google.Protobuf.Collections;
using Grpc.Core;
using Qdrant.Client.Grpc;
using Query = Qdrant.Client.Grpc.Query;

namespace PolicyChat.Testing.Qdrant;

/// <summary>
/// In-memory Qdrant semantics on Qdrant.Client's own message types, for the operations PolicyChat uses: collections with
/// named dense and sparse vectors, keyword payload indexes, upsert (vector names and sizes checked), delete by ids or
/// filter, get, scroll (id order, next-page offset), count, and query: dense cosine, sparse dot product with the IDF
/// modifier ln((N − n + 0.5)/(n + 0.5) + 1) on the query weights, prefetches fused by RRF (k, optional weights).
/// Errors are <see cref="RpcException"/>s with Qdrant's status codes and texts. Not thread-safe: <see cref="FakeQdrant"/> locks.
/// </summary>
public sealed class FakeQdrantEngine
{
    private readonly Dictionary<string, FakeCollection> _collections = new(StringComparer.Ordinal);

    /// <summary>True: upserts are accepted unchecked and dropped, and <see cref="FakeQdrant"/> does not even parse them (a server that "accepts instantly", for benchmarks).</summary>
    public bool DiscardPoints { get; init; }

    public int PointCount(string collection) => _collections.TryGetValue(collection, out var c) ? c.Points.Count : 0;

    public bool HasCollection(string collection) => _collections.ContainsKey(collection);

    public CreateCollection? CreateRequest(string collection) => _collections.TryGetValue(collection, out var c) ? c.Create : null;

    public IReadOnlyCollection<string> PayloadIndexes(string collection) => _collections.TryGetValue(collection, out var c) ? c.Indexes.Keys : [];

    public IEnumerable<MapField<string, Value>> Payloads(string collection) => Collection(collection).Points.Values.Select(p => p.Payload);

    public bool Exists(string name) => _collections.ContainsKey(name);

    public void Create(CreateCollection create)
    {
        if (_collections.ContainsKey(create.CollectionName))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"Wrong input: Collection `{create.CollectionName}` already exists!"));
        }
        _collections[create.CollectionName] = new FakeCollection(create.Clone());
    }

    public bool Delete(string name) => _collections.Remove(name);

    public CollectionInfo Info(string name)
    {
        var c = Collection(name);
        var parameters = new CollectionParams
        {
            ShardNumber = c.Create.HasShardNumber ? c.Create.ShardNumber : 1,
            ReplicationFactor = c.Create.HasReplicationFactor ? c.Create.ReplicationFactor : 1,
            VectorsConfig = c.Create.VectorsConfig,
            SparseVectorsConfig = c.Create.SparseVectorsConfig,
        };
        var info = new CollectionInfo { Status = CollectionStatus.Green, PointsCount = (ulong)c.Points.Count, Config = new CollectionConfig { Params = parameters } };
        foreach (var (field, type) in c.Indexes)
        {
            info.PayloadSchema[field] = new PayloadSchemaInfo { DataType = type };
        }
        return info;
    }

    public void CreateIndex(CreateFieldIndexCollection request) => Collection(request.CollectionName).Indexes[request.FieldName] = (PayloadSchemaType)request.FieldType;

    public void Upsert(UpsertPoints request)
    {
        if (DiscardPoints)
        {
            return;
        }
        var c = Collection(request.CollectionName);
        foreach (var point in request.Points.Select(c.Validate).ToList())
        {
            c.Points[point.Key] = point;
        }
    }

    public void Delete(DeletePoints request)
    {
        var c = Collection(request.CollectionName);
        var doomed = request.Points.PointsSelectorOneOfCase == PointsSelector.PointsSelectorOneOfOneofCase.Points
            ? request.Points.Points.Ids.Select(Key).ToList()
            : c.Points.Values.Where(p => Matches(p, request.Points.Filter)).Select(p => p.Key).ToList();
        foreach (var key in doomed)
        {
            c.Points.Remove(key);
        }
    }

    public IEnumerable<RetrievedPoint> Get(GetPoints request)
    {
        var c = Collection(request.CollectionName);
        foreach (var id in request.Ids)
        {
            if (c.Points.TryGetValue(Key(id), out var p))
            {
                yield return Retrieved(p, request.WithPayload);
            }
        }
    }

    public ScrollResponse Scroll(ScrollPoints request)
    {
        var c = Collection(request.CollectionName);
        var limit = request.HasLimit ? (int)request.Limit : 10;
        var from = request.Offset is null ? null : Key(request.Offset);
        var page = c.Points.Values.Where(p => (from is null || string.CompareOrdinal(p.Key, from) >= 0) && Matches(p, request.Filter)).Take(limit + 1).ToList();
        var response = new ScrollResponse();
        response.Result.AddRange(page.Take(limit).Select(p => Retrieved(p, request.WithPayload)));
        if (page.Count > limit)
        {
            response.NextPageOffset = page[limit].Id;
        }
        return response;
    }

    public ulong Count(CountPoints request) => (ulong)Collection(request.CollectionName).Points.Values.Count(p => Matches(p, request.Filter));

    public IReadOnlyList<ScoredPoint> RunQuery(QueryPoints request)
    {
        var c = Collection(request.CollectionName);
        var limit = request.HasLimit ? (int)request.Limit : 10;
        var scored = Run(c, request.Prefetch, request.Query, request.HasUsing ? request.Using : "", request.Filter, limit);
        return scored.Select(s =>
        {
            var point = new ScoredPoint { Id = s.Point.Id, Score = (float)s.Score, Version = 1 };
            AddPayload(point.Payload, s.Point.Payload, request.WithPayload);
            return point;
        }).ToList();
    }

    private List<(FakePoint Point, double Score)> Run(FakeCollection c, RepeatedField<PrefetchQuery> prefetch, Query? query, string vectorName, Filter? filter, int limit)
    {
        if (prefetch.Count > 0)
        {
            var lists = prefetch.Select(p => Run(c, p.Prefetch, p.Query, p.HasUsing ? p.Using : "", p.Filter, p.HasLimit ? (int)p.Limit : 10)).ToList();
            return query?.VariantCase switch
            {
                Query.VariantOneofCase.Rrf => Rrf(lists, query.Rrf.HasK ? (int)query.Rrf.K : 2, query.Rrf.Weights, limit),
                Query.VariantOneofCase.Fusion when query.Fusion == Fusion.Rrf => Rrf(lists, 2, [], limit),
                _ => throw new RpcException(new Status(StatusCode.Unimplemented, $"The fake Qdrant fuses prefetches by RRF only (got {query?.VariantCase}).")),
            };
        }
        var candidates = c.Points.Values.Where(p => Matches(p, filter));
        if (query is null)
        {
            return candidates.Take(limit).Select(p => (p, 1.0)).ToList();
        }
        if (query.VariantCase != Query.VariantOneofCase.Nearest)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"The fake Qdrant does not implement query {query.VariantCase}."));
        }
        var input = query.Nearest;
        List<(FakePoint Point, double Score)> scored;
        if (input.VariantCase == VectorInput.VariantOneofCase.Sparse)
        {
            var config = c.Create.SparseVectorsConfig?.Map;
            if (config is null || !config.TryGetValue(vectorName, out var sparseParams))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Wrong input: Not existing vector name error: {vectorName}"));
            }
            var idf = sparseParams.HasModifier && sparseParams.Modifier == Modifier.Idf;
            var total = c.Points.Count;
            var weights = input.Sparse.Indices.Zip(input.Sparse.Values).Select(q =>
            {
                var n = idf ? c.Points.Values.Count(p => p.Sparse.TryGetValue(vectorName, out var v) && v.ContainsKey(q.First)) : 0;
                return (Index: q.First, Weight: q.Second * (idf ? Math.Log(((total - n + 0.5) / (n + 0.5)) + 1) : 1.0));
            }).ToList();
            scored = candidates
                .Where(p => p.Sparse.TryGetValue(vectorName, out var v) && weights.Any(w => v.ContainsKey(w.Index)))
                .Select(p => (p, weights.Sum(w => p.Sparse[vectorName].TryGetValue(w.Index, out var d) ? w.Weight * d : 0)))
                .ToList();
        }
        else if (input.VariantCase == VectorInput.VariantOneofCase.Dense)
        {
            var size = c.DenseSize(vectorName);
            var q = input.Dense.Data.ToArray();
            if (q.Length != size)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Wrong input: Vector dimension error: expected dim: {size}, got {q.Length}"));
            }
            scored = candidates.Where(p => p.Dense.ContainsKey(vectorName)).Select(p => (p, Cosine(q, p.Dense[vectorName]))).ToList();
        }
        else
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"The fake Qdrant does not implement nearest {input.VariantCase}."));
        }
        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Point.Key, StringComparer.Ordinal).Take(limit).ToList();
    }

    private static List<(FakePoint Point, double Score)> Rrf(List<List<(FakePoint Point, double Score)>> lists, int k, IList<float> weights, int limit)
    {
        var fused = new Dictionary<string, (FakePoint Point, double Score)>(StringComparer.Ordinal);
        for (var l = 0; l < lists.Count; l++)
        {
            var weight = weights.Count > l ? weights[l] : 1.0;
            for (var rank = 0; rank < lists[l].Count; rank++)
            {
                var point = lists[l][rank].Point;
                var score = fused.TryGetValue(point.Key, out var f) ? f.Score : 0;
                fused[point.Key] = (point, score + (weight / (k + rank + 1)));
            }
        }
        return fused.Values.OrderByDescending(f => f.Score).ThenBy(f => f.Point.Key, StringComparer.Ordinal).Take(limit).ToList();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    private static bool Matches(FakePoint p, Filter? filter) =>
        filter is null
        || (filter.Must.All(c => Matches(p, c))
            && !filter.MustNot.Any(c => Matches(p, c))
            && (filter.Should.Count == 0 || filter.Should.Any(c => Matches(p, c))));

    private static bool Matches(FakePoint p, Condition condition) => condition.ConditionOneOfCase switch
    {
        Condition.ConditionOneOfOneofCase.Filter => Matches(p, condition.Filter),
        Condition.ConditionOneOfOneofCase.HasId => condition.HasId.HasId.Any(id => Key(id) == p.Key),
        Condition.ConditionOneOfOneofCase.Field => MatchesField(p, condition.Field),
        _ => throw new RpcException(new Status(StatusCode.Unimplemented, $"The fake Qdrant does not implement condition {condition.ConditionOneOfCase}.")),
    };

    private static bool MatchesField(FakePoint p, FieldCondition field)
    {
        var value = p.Payload.TryGetValue(field.Key, out var v) ? v : null;
        string? text = value?.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : null;
        return field.Match?.MatchValueCase switch
        {
            Match.MatchValueOneofCase.Keyword => text == field.Match.Keyword,
            Match.MatchValueOneofCase.Keywords => text is not null && field.Match.Keywords.Strings.Contains(text),
            Match.MatchValueOneofCase.ExceptKeywords => text is null || !field.Match.ExceptKeywords.Strings.Contains(text),
            Match.MatchValueOneofCase.Integer => value?.KindCase == Value.KindOneofCase.IntegerValue && value.IntegerValue == field.Match.Integer,
            _ => throw new RpcException(new Status(StatusCode.Unimplemented, $"The fake Qdrant does not implement match {field.Match?.MatchValueCase}.")),
        };
    }

    private static RetrievedPoint Retrieved(FakePoint p, WithPayloadSelector? selector)
    {
        var point = new RetrievedPoint { Id = p.Id };
        AddPayload(point.Payload, p.Payload, selector);
        return point;
    }

    private static void AddPayload(MapField<string, Value> target, MapField<string, Value> payload, WithPayloadSelector? selector)
    {
        var selected = selector?.SelectorOptionsCase switch
        {
            WithPayloadSelector.SelectorOptionsOneofCase.Enable when selector.Enable => payload,
            WithPayloadSelector.SelectorOptionsOneofCase.Include => payload.Where(kv => selector.Include.Fields.Contains(kv.Key)),
            WithPayloadSelector.SelectorOptionsOneofCase.Exclude => payload.Where(kv => !selector.Exclude.Fields.Contains(kv.Key)),
            _ => [],
        };
        foreach (var (key, value) in selected)
        {
            target[key] = value;
        }
    }

    private FakeCollection Collection(string name) =>
        _collections.TryGetValue(name, out var c) ? c : throw new RpcException(new Status(StatusCode.NotFound, $"Not found: Collection `{name}` doesn't exist!"));

    private static string Key(PointId id) => id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Uuid ? id.Uuid : id.Num.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class FakeCollection(CreateCollection create)
    {
        public CreateCollection Create { get; } = create;

        public Dictionary<string, PayloadSchemaType> Indexes { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, FakePoint> Points { get; } = new(StringComparer.Ordinal);

        public int DenseSize(string name) =>
            Create.VectorsConfig?.ParamsMap?.Map.TryGetValue(name, out var p) == true
                ? (int)p.Size
                : throw new RpcException(new Status(StatusCode.InvalidArgument, $"Wrong input: Not existing vector name error: {name}"));

#pragma warning disable CS0612 // the deprecated Vector.Data/Indices fields are what older clients send
        public FakePoint Validate(PointStruct point)
        {
            var result = new FakePoint(point.Id, Key(point.Id), point.Payload.Clone());
            var named = point.Vectors?.VectorsOptionsCase switch
            {
                Vectors.VectorsOptionsOneofCase.Vectors_ => point.Vectors.Vectors_.Vectors,
                null or Vectors.VectorsOptionsOneofCase.None => [],
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "Wrong input: the collection has named vectors only")),
            };
            foreach (var (name, vector) in named)
            {
                if (vector.VectorCase == Vector.VectorOneofCase.Sparse || vector.Indices is not null)
                {
                    var indices = vector.VectorCase == Vector.VectorOneofCase.Sparse ? vector.Sparse.Indices.ToArray() : vector.Indices!.Data.ToArray();
                    var values = vector.VectorCase == Vector.VectorOneofCase.Sparse ? vector.Sparse.Values.ToArray() : vector.Data.ToArray();
                    if (Create.SparseVectorsConfig?.Map.ContainsKey(name) != true)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"Wrong input: Not existing vector name error: {name}"));
                    }
                    if (indices.Length != values.Length || indices.Distinct().Count() != indices.Length)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "Validation error: sparse indices must be unique and match the values"));
                    }
                    result.Sparse[name] = indices.Zip(values).ToDictionary(x => x.First, x => (double)x.Second);
                }
                else
                {
                    var data = vector.VectorCase == Vector.VectorOneofCase.Dense ? vector.Dense.Data.ToArray() : vector.Data.ToArray();
                    var size = DenseSize(name);
                    if (data.Length != size)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"Wrong input: Vector dimension error: expected dim: {size}, got {data.Length}"));
                    }
                    result.Dense[name] = data;
                }
            }
            return result;
        }
#pragma warning restore CS0612
    }

    private sealed record FakePoint(PointId Id, string Key, MapField<string, Value> Payload)
    {
        public Dictionary<string, float[]> Dense { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dictionary<uint, double>> Sparse { get; } = new(StringComparer.Ordinal);
    }
}
