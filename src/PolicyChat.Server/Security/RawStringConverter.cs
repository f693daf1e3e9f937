using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyChat.Server.Security;

/// <summary>
/// Reads a JSON string as it was sent, unpaired UTF-16 surrogates (<c>"\ud800"</c>) included, where System.Text.Json
/// would throw and the hub would answer "Failed to invoke 'Ask'". <see cref="TextChecks"/> then rejects the text with
/// the same localized invalid-question error over REST and the hub.
/// </summary>
public sealed class RawStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, found {reader.TokenType}.");
        }
        if (!reader.ValueIsEscaped)
        {
            return reader.GetString();
        }
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        return Unescape(raw);
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }

    /// <summary>Unescapes a JSON string's raw UTF-8 (the reader has already checked its syntax), keeping unpaired surrogates.</summary>
    internal static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        var start = 0;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] != (byte)'\\')
            {
                i++;
                continue;
            }
            text.Append(Encoding.UTF8.GetString(raw[start..i]));
            var escape = (char)raw[i + 1];
            switch (escape)
            {
                case 'u':
                    text.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 6;
                    break;
                default:
                    text.Append(escape switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escape });
                    i += 2;
                    break;
            }
            start = i;
        }
        text.Append(Encoding.UTF8.GetString(raw[start..]));
        return text.ToString();
    }
}
