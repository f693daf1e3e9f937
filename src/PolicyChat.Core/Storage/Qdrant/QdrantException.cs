using Grpc.Core;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>A failed Qdrant call: the message names the call, the gRPC status, Qdrant's text and the setting to check.</summary>
public sealed class QdrantException(string message, StatusCode? statusCode = null, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The gRPC status of the last attempt, or null when the failure was not a gRPC status.</summary>
    public StatusCode? StatusCode { get; } = statusCode;
}
