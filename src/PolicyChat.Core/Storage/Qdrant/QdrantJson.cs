using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>A payload condition: <c>key</c> equals one of <c>Values</c>.</summary>
internal readonly record struct MatchCondition(string Key, IReadOnlyCollection<string> Values);

/// <summary>Small writers and readers for the Qdrant REST bodies (Utf8JsonWriter for speed, JsonElement for answers).</summary>
internal static class QdrantJson
{
    /// <summary>Relaxed escaping writes Arabic and Chinese as raw UTF-8 (a third of the bytes of \uXXXX escapes); the bodies never reach HTML.</summary>
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
        // BM25 weights repeat (they depend only on tf within a chunk): reuse the last formatted value.
        Span<byte> last = stackalloc byte[24];
        var lastLength = 0;
        var lastValue = float.NaN;
        foreach (var value in vector.Values)
        {
            if (value != lastValue || lastLength == 0)
            {
                lastLength = FormatFloat(value, last);
                lastValue = value;
            }
            if (lastLength > 0)
            {
                w.WriteRawValue(last[..lastLength], skipInputValidation: true);
            }
            else
            {
                w.WriteNumberValue(value);
            }
        }
        w.WriteEndArray();
    }

    public static void WriteDense(Utf8JsonWriter w, ReadOnlySpan<float> vector)
    {
        w.WriteStartArray();
        foreach (var value in vector)
        {
            WriteFloat(w, value);
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// Writes a float as fixed-point with 7 decimals (absolute error at most 5e-8, trailing zeros trimmed) when its
    /// magnitude is below 1e6: several times faster than shortest round-trip formatting, which dominated ingestion
    /// (about 1,300 numbers per chunk), and far below what changes a BM25 weight or a cosine ranking. Other values use
    /// the exact round-trip form.
    /// </summary>
    public static void WriteFloat(Utf8JsonWriter w, float value)
    {
        Span<byte> buffer = stackalloc byte[24];
        var length = FormatFloat(value, buffer);
        if (length > 0)
        {
            w.WriteRawValue(buffer[..length], skipInputValidation: true);
        }
        else
        {
            w.WriteNumberValue(value);
        }
    }

    /// <summary>Fixed-point UTF-8 of <paramref name="value"/> at the start of <paramref name="destination"/> (24 bytes); 0 when out of range.</summary>
    private static int FormatFloat(float value, Span<byte> destination)
    {
        if (!(Math.Abs(value) < 1e6f))
        {
            return 0;
        }
        Span<byte> buffer = stackalloc byte[24];
        var scaled = (long)Math.Round(value * 10_000_000d, MidpointRounding.AwayFromZero);
        var position = buffer.Length;
        var negative = scaled < 0;
        var magnitude = (ulong)Math.Abs(scaled);
        var fraction = magnitude % 10_000_000;
        var integer = magnitude / 10_000_000;
        var digits = 7;
        while (digits > 0 && fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }
        if (digits > 0)
        {
            for (var i = 0; i < digits; i++)
            {
                buffer[--position] = (byte)('0' + (int)(fraction % 10));
                fraction /= 10;
            }
            buffer[--position] = (byte)'.';
        }
        do
        {
            buffer[--position] = (byte)('0' + (int)(integer % 10));
            integer /= 10;
        }
        while (integer > 0);
        if (negative && magnitude != 0)
        {
            buffer[--position] = (byte)'-';
        }
        buffer[position..].CopyTo(destination);
        return buffer.Length - position;
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
