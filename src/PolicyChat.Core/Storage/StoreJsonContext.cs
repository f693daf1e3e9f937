using System.Text.Json.Serialization;

namespace PolicyChat.Core.Storage;

[JsonSerializable(typeof(EmbedderInfo))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
