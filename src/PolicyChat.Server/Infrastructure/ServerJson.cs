using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyChat.Server.Infrastructure;

/// <summary>JSON settings. /api and /v1 use snake_case (like the CLI's --json); the hub uses camelCase.</summary>
public static class ServerJson
{
    /// <summary>Letters of every script are written as themselves (Arabic stays readable); the JSON is never embedded in HTML.</summary>
    public static JavaScriptEncoder Encoder { get; } = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static JsonSerializerOptions Api { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The OpenAI wire format: snake_case, absent members omitted.</summary>
    public static JsonSerializerOptions OpenAi { get; } = new(Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)))
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = Encoder;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
