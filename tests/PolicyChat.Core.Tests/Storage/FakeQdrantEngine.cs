using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>An error answer of the fake: HTTP status and Qdrant's error text.</summary>
internal sealed class FakeQdrantError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// In-memory Qdrant semantics for the operations PolicyChat uses: collections with named dense and sparse vectors,
/// upsert/delete/get/scroll/count, payload filters (must/should/must_not, match value/any/except, has_id, nested
/// filters), and query: dense (Cosine/Dot/Euclid), sparse dot product with the idf modifier
/// ln((N − n + 0.5)/(n + 0.5) + 1) applied to the query weights, prefetch with rrf/dbsf fusion.
/// </summary>
internal sealed class FakeQdrantEngine
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeCollection> _collections = new(StringComparer.Ordinal);
    private long _operationId;

    public int UpsertRequests { get; private set; }

    public int PointCount(string collection)
    {
        lock (_lock)
        {
            return _collections.TryGetValue(collection, out var c) ? c.Points.Count : 0;
        }
    }

    public IReadOnlyList<JsonObject> Payloads(string collection)
    {
        lock (_lock)
        {
            return _collections.TryGetValue(collection, out var c) ? c.Points.Values.Select(p => (JsonObject)p.Payload.DeepClone()).ToList() : [];
        }
    }

    public bool HasCollection(string collection)
    {
        lock (_lock)
        {
            return _collections.ContainsKey(collection);
        }
    }

    public JsonNode? Execute(string operationId, IReadOnlyDictionary<string, string> pathParameters, JsonNode? body)
    {
        lock (_lock)
        {
            var name = pathParameters.GetValueOrDefault("collection_name") ?? "";
            return operationId switch
            {
                "collection_exists" => new JsonObject { ["exists"] = _collections.ContainsKey(name) },
                "create_collection" => CreateCollection(name, body!.AsObject()),
                "get_collection" => Collection(name).Info(),
                "delete_collection" => _collections.Remove(name),
                "create_field_index" => CreateIndex(name, body!.AsObject()),
                "create_vector_name" => CreateVector(name, pathParameters["vector_name"], body!.AsObject()),
                "upsert_points" => Upsert(name, body!.AsObject()),
                "delete_points" => Delete(name, body!.AsObject()),
                "get_points" => GetPoints(name, body!.AsObject()),
                "scroll_points" => Scroll(name, body?.AsObject() ?? []),
                "count_points" => new JsonObject { ["count"] = Collection(name).Points.Values.Count(p => Matches(p, body?["filter"])) },
                "query_points" => Query(Collection(name), body?.AsObject() ?? []),
                "query_batch_points" => new JsonArray(body!["searches"]!.AsArray().Select(s => (JsonNode?)Query(Collection(name), s!.AsObject())).ToArray()),
                _ => throw new FakeQdrantError(501, $"The fake Qdrant does not implement {operationId}"),
            };
        }
    }

    private FakeCollection Collection(string name) =>
        _collections.TryGetValue(name, out var c) ? c : throw new FakeQdrantError(404, $"Not found: Collection `{name}` doesn't exist!");

    private JsonObject UpdateResult() => new JsonObject { ["operation_id"] = ++_operationId, ["status"] = "completed" };

    private JsonNode CreateCollection(string name, JsonObject body)
    {
        if (_collections.ContainsKey(name))
        {
            throw new FakeQdrantError(409, $"Wrong input: Collection `{name}` already exists!");
        }
        var collection = new FakeCollection(body);
        if (body["vectors"] is JsonObject vectors)
        {
            if (vectors.ContainsKey("size"))
            {
                collection.Dense[""] = (vectors["size"]!.GetValue<int>(), vectors["distance"]!.GetValue<string>());
            }
            else
            {
                foreach (var (vectorName, config) in vectors)
                {
                    collection.Dense[vectorName] = (config!["size"]!.GetValue<int>(), config["distance"]!.GetValue<string>());
                }
            }
        }
        if (body["sparse_vectors"] is JsonObject sparse)
        {
            foreach (var (vectorName, config) in sparse)
            {
                collection.Sparse[vectorName] = string.Equals(config?["modifier"]?.GetValue<string>(), "idf", StringComparison.OrdinalIgnoreCase);
            }
        }
        _collections[name] = collection;
        return true;
    }

    private JsonObject CreateIndex(string name, JsonObject body)
    {
        var collection = Collection(name);
        collection.Indexes[body["field_name"]!.GetValue<string>()] = body["field_schema"]?.ToJsonString().Trim('"') ?? "keyword";
        return UpdateResult();
    }

    private JsonObject CreateVector(string name, string vectorName, JsonObject body)
    {
        var collection = Collection(name);
        if (collection.Dense.ContainsKey(vectorName) || collection.Sparse.ContainsKey(vectorName))
        {
            throw new FakeQdrantError(400, $"Wrong input: Vector `{vectorName}` already exists");
        }
        if (body["dense"] is JsonObject dense)
        {
            collection.Dense[vectorName] = (dense["size"]!.GetValue<int>(), dense["distance"]!.GetValue<string>());
        }
        else
        {
            collection.Sparse[vectorName] = string.Equals(body["sparse"]?["modifier"]?.GetValue<string>(), "idf", StringComparison.OrdinalIgnoreCase);
        }
        return UpdateResult();
    }

    private JsonObject Upsert(string name, JsonObject body)
    {
        var collection = Collection(name);
        if (body["points"] is not JsonArray points)
        {
            throw new FakeQdrantError(400, "The fake Qdrant accepts only the {\"points\": [...]} form of upsert");
        }
        var parsed = points.Select(p => collection.ParsePoint(p!.AsObject())).ToList(); // validate all before writing any
        foreach (var point in parsed)
        {
            collection.Points[point.Key] = point;
        }
        UpsertRequests++;
        return UpdateResult();
    }

    private JsonObject Delete(string name, JsonObject body)
    {
        var collection = Collection(name);
        if (body["points"] is JsonArray ids)
        {
            foreach (var id in ids)
            {
                collection.Points.Remove(FakePoint.KeyOf(id!));
            }
        }
        else
        {
            var filter = body["filter"];
            foreach (var key in collection.Points.Where(p => Matches(p.Value, filter)).Select(p => p.Key).ToList())
            {
                collection.Points.Remove(key);
            }
        }
        return UpdateResult();
    }

    private JsonArray GetPoints(string name, JsonObject body)
    {
        var collection = Collection(name);
        var result = new JsonArray();
        foreach (var id in body["ids"]!.AsArray())
        {
            if (collection.Points.TryGetValue(FakePoint.KeyOf(id!), out var point))
            {
                result.Add(Record(point, body["with_payload"], defaultPayload: true));
            }
        }
        return result;
    }

    private JsonObject Scroll(string name, JsonObject body)
    {
        var collection = Collection(name);
        var limit = body["limit"]?.GetValue<int>() ?? 10;
        var ordered = collection.Points.Values.Where(p => Matches(p, body["filter"])).OrderBy(p => p.SortKey, StringComparer.Ordinal).ToList();
        var start = 0;
        if (body["offset"] is { } offset)
        {
            var sortKey = FakePoint.SortKeyOf(offset);
            start = ordered.FindIndex(p => string.CompareOrdinal(p.SortKey, sortKey) >= 0);
            if (start < 0)
            {
                start = ordered.Count;
            }
        }
        var page = ordered.Skip(start).Take(limit).ToList();
        var next = start + limit < ordered.Count ? ordered[start + limit].Id.DeepClone() : null;
        return new JsonObject
        {
            ["points"] = new JsonArray(page.Select(p => (JsonNode?)Record(p, body["with_payload"], defaultPayload: true)).ToArray()),
            ["next_page_offset"] = next,
        };
    }

    private static JsonObject Record(FakePoint point, JsonNode? withPayload, bool defaultPayload)
    {
        var record = new JsonObject { ["id"] = point.Id.DeepClone() };
        var payload = SelectPayload(point.Payload, withPayload, defaultPayload);
        if (payload is not null)
        {
            record["payload"] = payload;
        }
        return record;
    }

    private static JsonObject? SelectPayload(JsonObject payload, JsonNode? selector, bool defaultPayload)
    {
        switch (selector)
        {
            case null:
                return defaultPayload ? (JsonObject)payload.DeepClone() : null;
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                return v.GetValue<bool>() ? (JsonObject)payload.DeepClone() : null;
            case JsonArray fields:
                return Include(payload, fields.Select(f => f!.GetValue<string>()));
            case JsonObject o when o["include"] is JsonArray include:
                return Include(payload, include.Select(f => f!.GetValue<string>()));
            case JsonObject o when o["exclude"] is JsonArray exclude:
                var excluded = exclude.Select(f => f!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                var copy = new JsonObject();
                foreach (var (key, value) in payload)
                {
                    if (!excluded.Contains(key))
                    {
                        copy[key] = value?.DeepClone();
                    }
                }
                return copy;
            default:
                throw new FakeQdrantError(400, "Unsupported with_payload " + selector.ToJsonString());
        }
    }

    private static JsonObject Include(JsonObject payload, IEnumerable<string> fields)
    {
        var copy = new JsonObject();
        foreach (var field in fields)
        {
            if (payload.TryGetPropertyValue(field, out var value))
            {
                copy[field] = value?.DeepClone();
            }
        }
        return copy;
    }

    private static JsonObject Query(FakeCollection collection, JsonObject request)
    {
        var limit = request["limit"]?.GetValue<int>() ?? 10;
        var offset = request["offset"]?.GetValue<int>() ?? 0;
        var scored = Score(collection, request, limit + offset);
        var points = new JsonArray();
        foreach (var (point, score) in scored.Skip(offset).Take(limit))
        {
            var result = new JsonObject { ["id"] = point.Id.DeepClone(), ["version"] = point.Version, ["score"] = score };
            var payload = SelectPayload(point.Payload, request["with_payload"], defaultPayload: false);
            if (payload is not null)
            {
                result["payload"] = payload;
            }
            points.Add(result);
        }
        return new JsonObject { ["points"] = points };
    }

    /// <summary>Scores one (pre)fetch level: candidates come from the prefetches when present, else from the whole collection.</summary>
    private static List<(FakePoint Point, double Score)> Score(FakeCollection collection, JsonObject request, int limit)
    {
        var filter = request["filter"];
        var query = request["query"];
        var prefetches = request["prefetch"] switch
        {
            JsonArray many => many.Select(p => p!.AsObject()).ToList(),
            JsonObject one => [one],
            _ => [],
        };
        if (prefetches.Count > 0)
        {
            var lists = prefetches.Select(p => Score(collection, p, p["limit"]?.GetValue<int>() ?? 10)).ToList();
            var union = lists.SelectMany(l => l.Select(x => x.Point)).DistinctBy(p => p.Key).Where(p => Matches(p, filter)).ToList();
            if (query is JsonObject q && (q.ContainsKey("fusion") || q.ContainsKey("rrf")))
            {
                return Fuse(q, lists, union).Take(limit).ToList();
            }
            return ScoreVector(collection, query, request["using"]?.GetValue<string>() ?? "", union, limit);
        }
        var candidates = collection.Points.Values.Where(p => Matches(p, filter)).ToList();
        return ScoreVector(collection, query, request["using"]?.GetValue<string>() ?? "", candidates, limit);
    }

    private static IEnumerable<(FakePoint Point, double Score)> Fuse(JsonObject query, List<List<(FakePoint Point, double Score)>> lists, List<FakePoint> allowed)
    {
        var allowedKeys = allowed.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var scores = new Dictionary<string, (FakePoint Point, double Score)>(StringComparer.Ordinal);
        if (query["fusion"]?.GetValue<string>() == "dbsf")
        {
            foreach (var list in lists.Where(l => l.Count > 0))
            {
                var mean = list.Average(x => x.Score);
                var sd = Math.Sqrt(list.Average(x => (x.Score - mean) * (x.Score - mean)));
                var (low, high) = (mean - (3 * sd), mean + (3 * sd));
                foreach (var (point, score) in list.Where(x => allowedKeys.Contains(x.Point.Key)))
                {
                    var normalized = high > low ? (score - low) / (high - low) : 0.5;
                    scores[point.Key] = (point, scores.GetValueOrDefault(point.Key).Score + normalized);
                }
            }
        }
        else
        {
            var k = query["rrf"]?["k"]?.GetValue<int>() ?? 2; // Qdrant's default rrf k is 2
            var weights = query["rrf"]?["weights"]?.AsArray().Select(w => w!.GetValue<double>()).ToList();
            for (var l = 0; l < lists.Count; l++)
            {
                var weight = weights is not null && l < weights.Count ? weights[l] : 1.0;
                for (var r = 0; r < lists[l].Count; r++)
                {
                    var point = lists[l][r].Point;
                    if (allowedKeys.Contains(point.Key))
                    {
                        scores[point.Key] = (point, scores.GetValueOrDefault(point.Key).Score + (weight / (k + r + 1)));
                    }
                }
            }
        }
        return scores.Values.OrderByDescending(x => x.Score).ThenBy(x => x.Point.SortKey, StringComparer.Ordinal);
    }

    private static List<(FakePoint Point, double Score)> ScoreVector(
        FakeCollection collection, JsonNode? query, string vectorName, List<FakePoint> candidates, int limit)
    {
        IEnumerable<(FakePoint Point, double Score)> scored;
        switch (query)
        {
            case null:
                scored = candidates.OrderBy(p => p.SortKey, StringComparer.Ordinal).Select(p => (p, 0.0));
                return scored.Take(limit).ToList();
            case JsonObject sparse when sparse.ContainsKey("indices"):
                if (!collection.Sparse.TryGetValue(vectorName, out var idf))
                {
                    throw new FakeQdrantError(400, $"Wrong input: Not existing vector name error: {vectorName}");
                }
                var indices = sparse["indices"]!.AsArray().Select(i => i!.GetValue<uint>()).ToArray();
                var values = sparse["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                var withVector = collection.Points.Values.Where(p => p.Sparse.ContainsKey(vectorName)).ToList();
                var weights = new Dictionary<uint, double>();
                for (var i = 0; i < indices.Length; i++)
                {
                    var weight = values[i];
                    if (idf)
                    {
                        var n = withVector.Count(p => p.Sparse[vectorName].ContainsKey(indices[i]));
                        weight *= Math.Log(((withVector.Count - n + 0.5) / (n + 0.5)) + 1);
                    }
                    weights[indices[i]] = weight;
                }
                scored = candidates
                    .Where(p => p.Sparse.TryGetValue(vectorName, out var v) && weights.Keys.Any(v.ContainsKey))
                    .Select(p => (p, weights.Sum(w => p.Sparse[vectorName].TryGetValue(w.Key, out var dv) ? w.Value * dv : 0.0)));
                break;
            case JsonArray dense:
                if (!collection.Dense.TryGetValue(vectorName, out var config))
                {
                    throw new FakeQdrantError(400, $"Wrong input: Not existing vector name error: {vectorName}");
                }
                var q = dense.Select(v => v!.GetValue<double>()).ToArray();
                if (q.Length != config.Size)
                {
                    throw new FakeQdrantError(400, $"Wrong input: Vector dimension error: expected dim: {config.Size}, got {q.Length}");
                }
                scored = candidates
                    .Where(p => p.Dense.ContainsKey(vectorName))
                    .Select(p => (p, Similarity(config.Distance, q, p.Dense[vectorName])));
                break;
            default:
                throw new FakeQdrantError(400, "The fake Qdrant does not support the query " + query.ToJsonString());
        }
        return scored.OrderByDescending(x => x.Item2).ThenBy(x => x.Item1.SortKey, StringComparer.Ordinal).Take(limit).ToList();
    }

    private static double Similarity(string distance, double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0, l2 = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
            l2 += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return distance switch
        {
            "Cosine" => na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb),
            "Dot" => dot,
            "Euclid" => -Math.Sqrt(l2),
            _ => throw new FakeQdrantError(400, "Unsupported distance " + distance),
        };
    }

    internal static bool Matches(FakePoint point, JsonNode? filter)
    {
        if (filter is not JsonObject f)
        {
            return true;
        }
        if (f["must"] is { } must && !Conditions(must).All(c => Condition(point, c)))
        {
            return false;
        }
        if (f["should"] is { } should && Conditions(should) is { Count: > 0 } anyOf && !anyOf.Any(c => Condition(point, c)))
        {
            return false;
        }
        if (f["must_not"] is { } mustNot && Conditions(mustNot).Any(c => Condition(point, c)))
        {
            return false;
        }
        return true;
    }

    private static List<JsonNode> Conditions(JsonNode node) => node is JsonArray array ? array.Select(c => c!).ToList() : [node];

    private static bool Condition(FakePoint point, JsonNode condition)
    {
        var c = condition.AsObject();
        if (c["has_id"] is JsonArray ids)
        {
            return ids.Any(id => FakePoint.KeyOf(id!) == point.Key);
        }
        if (c.ContainsKey("must") || c.ContainsKey("should") || c.ContainsKey("must_not"))
        {
            return Matches(point, c);
        }
        var key = c["key"]?.GetValue<string>() ?? throw new FakeQdrantError(400, "The fake Qdrant does not support condition " + c.ToJsonString());
        var values = point.Payload[key] switch
        {
            JsonArray array => array.Select(v => v?.ToJsonString()).ToList(),
            null => [],
            var single => [single.ToJsonString()],
        };
        if (c["match"] is JsonObject match)
        {
            if (match["value"] is { } value)
            {
                return values.Contains(value.ToJsonString());
            }
            if (match["any"] is JsonArray any)
            {
                return any.Any(a => values.Contains(a!.ToJsonString()));
            }
            if (match["except"] is JsonArray except)
            {
                return values.Count > 0 && !except.Any(e => values.Contains(e!.ToJsonString()));
            }
        }
        if (c["is_empty"] is { } isEmpty)
        {
            return (values.Count == 0) == isEmpty.GetValue<bool>();
        }
        throw new FakeQdrantError(400, "The fake Qdrant does not support condition " + c.ToJsonString());
    }

    internal sealed class FakeCollection(JsonObject config)
    {
        public JsonObject Config { get; } = config;

        public Dictionary<string, (int Size, string Distance)> Dense { get; init; } = new(StringComparer.Ordinal);

        public Dictionary<string, bool> Sparse { get; init; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Indexes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, FakePoint> Points { get; } = new(StringComparer.Ordinal);

        private long _version;

        public FakePoint ParsePoint(JsonObject point)
        {
            var id = point["id"]!;
            var parsed = new FakePoint(id.DeepClone(), (JsonObject?)point["payload"]?.DeepClone() ?? [], ++_version);
            var vector = point["vector"];
            if (vector is JsonArray unnamed)
            {
                AddDense(parsed, "", unnamed);
            }
            else if (vector is JsonObject named)
            {
                foreach (var (name, value) in named)
                {
                    if (value is JsonArray dense)
                    {
                        AddDense(parsed, name, dense);
                    }
                    else if (value is JsonObject sparse && sparse.ContainsKey("indices"))
                    {
                        if (!Sparse.ContainsKey(name))
                        {
                            throw new FakeQdrantError(400, $"Wrong input: Not existing vector name error: {name}");
                        }
                        var indices = sparse["indices"]!.AsArray().Select(i => i!.GetValue<uint>()).ToArray();
                        var values = sparse["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                        if (indices.Length != values.Length)
                        {
                            throw new FakeQdrantError(400, "Validation error in JSON body: [points[0].vector: Sparse vector indices and values must have the same length]");
                        }
                        if (indices.Distinct().Count() != indices.Length)
                        {
                            throw new FakeQdrantError(400, "Validation error in JSON body: [points[0].vector: indices must be unique]");
                        }
                        parsed.Sparse[name] = indices.Zip(values).ToDictionary(x => x.First, x => x.Second);
                    }
                    else
                    {
                        throw new FakeQdrantError(400, "The fake Qdrant does not support vector " + value?.ToJsonString());
                    }
                }
            }
            return parsed;
        }

        private void AddDense(FakePoint point, string name, JsonArray values)
        {
            if (!Dense.TryGetValue(name, out var config))
            {
                throw new FakeQdrantError(400, $"Wrong input: Not existing vector name error: {name}");
            }
            if (values.Count != config.Size)
            {
                throw new FakeQdrantError(400, $"Wrong input: Vector dimension error: expected dim: {config.Size}, got {values.Count}");
            }
            point.Dense[name] = values.Select(v => v!.GetValue<double>()).ToArray();
        }

        public JsonObject Info()
        {
            var vectors = new JsonObject();
            foreach (var (name, (size, distance)) in Dense)
            {
                if (name.Length == 0)
                {
                    vectors = new JsonObject { ["size"] = size, ["distance"] = distance };
                    break;
                }
                vectors[name] = new JsonObject { ["size"] = size, ["distance"] = distance };
            }
            var sparse = new JsonObject();
            foreach (var (name, idf) in Sparse)
            {
                sparse[name] = idf ? new JsonObject { ["modifier"] = "idf" } : new JsonObject();
            }
            var payloadSchema = new JsonObject();
            foreach (var (field, type) in Indexes)
            {
                payloadSchema[field] = new JsonObject { ["data_type"] = type, ["points"] = Points.Values.Count(p => p.Payload.ContainsKey(field)) };
            }
            return new JsonObject
            {
                ["status"] = "green",
                ["optimizer_status"] = "ok",
                ["indexed_vectors_count"] = 0,
                ["points_count"] = Points.Count,
                ["segments_count"] = 1,
                ["config"] = new JsonObject
                {
                    ["params"] = new JsonObject
                    {
                        ["vectors"] = vectors,
                        ["sparse_vectors"] = sparse,
                        ["shard_number"] = Config["shard_number"]?.GetValue<int>() ?? 1,
                        ["replication_factor"] = Config["replication_factor"]?.GetValue<int>() ?? 1,
                        ["write_consistency_factor"] = 1,
                    },
                    ["hnsw_config"] = new JsonObject { ["m"] = 16, ["ef_construct"] = 100, ["full_scan_threshold"] = 10000 },
                    ["optimizer_config"] = new JsonObject { ["default_segment_number"] = 0, ["flush_interval_sec"] = 5 },
                    ["wal_config"] = new JsonObject { ["wal_capacity_mb"] = 32, ["wal_segments_ahead"] = 0 },
                },
                ["payload_schema"] = payloadSchema,
            };
        }
    }

    internal sealed class FakePoint(JsonNode id, JsonObject payload, long version)
    {
        public JsonNode Id { get; } = id;

        public string Key { get; } = KeyOf(id);

        public string SortKey { get; } = SortKeyOf(id);

        public JsonObject Payload { get; } = payload;

        public long Version { get; } = version;

        public Dictionary<string, double[]> Dense { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dictionary<uint, double>> Sparse { get; } = new(StringComparer.Ordinal);

        public static string KeyOf(JsonNode id) =>
            id.GetValueKind() == JsonValueKind.Number
                ? id.GetValue<ulong>().ToString(CultureInfo.InvariantCulture)
                : Guid.Parse(id.GetValue<string>()).ToString("D");

        /// <summary>Integers before UUIDs, each in ascending order (Qdrant scrolls in id order).</summary>
        public static string SortKeyOf(JsonNode id) =>
            id.GetValueKind() == JsonValueKind.Number
                ? "0" + id.GetValue<ulong>().ToString("D20", CultureInfo.InvariantCulture)
                : "1" + Guid.Parse(id.GetValue<string>()).ToString("D");
    }
}
