using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>A payload condition: <c>key</c> equals one of <c>Values</c>.</summary>
internal readonly record struct MatchCondition(string Key, IReadOnlyCollection<string> Values);

/// <summary>Small writers and readers for the Qdrant REST bodies (Utf8JsonWriter for speed, JsonElement for answers).</summary>
internal static class QdrantJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = true };

    public static ReadOnlyMemory<byte> Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            write(writer, state);
        }
        return buffer.WrittenMemory;
    }

    /// <summary>Writes a Filter: every condition in <c>must</c>, every negative one in <c>must_not</c>.</summary>
    public static void WriteFilter(Utf8JsonWriter w, IReadOnlyList<MatchCondition> must, IReadOnlyList<MatchCondition>? mustNot = null)
    {
        w.WriteStartObject();
        WriteConditions(w, "must", must);
        if (mustNot is { Count: > 0 })
        {
            WriteConditions(w, "must_not", mustNot);
        }
        w.WriteEndObject();
    }

    private static void WriteConditions(Utf8JsonWriter w, string name, IReadOnlyList<MatchCondition> conditions)
    {
        w.WriteStartArray(name);
        foreach (var condition in conditions)
        {
            w.WriteStartObject();
            w.WriteString("key", condition.Key);
            w.WriteStartObject("match");
            if (condition.Values.Count == 1)
            {
                w.WriteString("value", condition.Values.First());
            }
            else
            {
                w.WriteStartArray("any");
                foreach (var value in condition.Values)
                {
                    w.WriteStringValue(value);
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteSparse(Utf8JsonWriter w, string name, QdrantSparseVector vector)
    {
        w.WriteStartObject(name);
        WriteSparseBody(w, vector);
        w.WriteEndObject();
    }

    public static void WriteSparseBody(Utf8JsonWriter w, QdrantSparseVector vector)
    {
        w.WriteStartArray("indices");
        foreach (var index in vector.Indices)
        {
            w.WriteNumberValue(index);
        }
        w.WriteEndArray();
        w.WriteStartArray("values");
        foreach (var value in vector.Values)
        {
            w.WriteNumberValue(value);
        }
        w.WriteEndArray();
    }

    public static void WriteDense(Utf8JsonWriter w, ReadOnlySpan<float> vector)
    {
        w.WriteStartArray();
        foreach (var value in vector)
        {
            w.WriteNumberValue(value);
        }
        w.WriteEndArray();
    }

    public static void WriteNullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static JsonElement Result(JsonDocument envelope) =>
        envelope.RootElement.TryGetProperty("result", out var result)
            ? result
            : throw new QdrantException("Qdrant answered without a 'result' field.");

    public static string? GetString(JsonElement payload, string name) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static string RequireString(JsonElement payload, string name) =>
        GetString(payload, name) ?? throw new QdrantException($"Qdrant point payload lacks the string field '{name}'; the collection was not written by this version of PolicyChat.");

    public static int GetInt(JsonElement payload, string name) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i)
            ? i
            : 0;

    public static long GetLong(JsonElement payload, string name) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var i)
            ? i
            : 0;

    public static DateTimeOffset GetDate(JsonElement payload, string name) =>
        DateTimeOffset.TryParse(GetString(payload, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date) ? date : DateTimeOffset.MinValue;

    /// <summary>A point id as text: UUID string or unsigned integer.</summary>
    public static string IdText(JsonElement id) =>
        id.ValueKind == JsonValueKind.Number ? id.GetUInt64().ToString(CultureInfo.InvariantCulture) : id.GetString() ?? "";
}
