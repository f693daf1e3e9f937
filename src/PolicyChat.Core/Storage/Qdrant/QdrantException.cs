using Grpc.Core;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>A failed Qdrant call: the message names the call, the gRPC status, Qdrant's text and the setting to check.</summary>
public sealed class QdrantException : Exception
{
    public QdrantException()
    {
    }

    public QdrantException(string message)
        : base(message)
    {
    }

    public QdrantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public QdrantException(string message, StatusCode? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The gRPC status of the last attempt, or null when the failure was not a gRPC status.</summary>
    public StatusCode? StatusCode { get; }
}
