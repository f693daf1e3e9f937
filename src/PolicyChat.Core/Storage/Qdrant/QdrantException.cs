using System.Net;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>A failed Qdrant call: the message names the request, the HTTP status and Qdrant's own error text.</summary>
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

    public QdrantException(string message, HttpStatusCode? statusCode, string? serverError, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ServerError = serverError;
    }

    /// <summary>The HTTP status, or null when no response arrived (connection error, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Qdrant's error text (the JSON <c>status.error</c>, or the plain-text body of 401/403).</summary>
    public string? ServerError { get; }
}
