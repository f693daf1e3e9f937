using System.Security.Cryptography;
using System.Text;

namespace PolicyChat.Core.Ingestion;

/// <summary>Stable document ids: the first 16 hex digits of SHA-256 over the document's source (full path or upload name).</summary>
public static class DocumentIds
{
    public static string FromSource(string source)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(source));
        return Convert.ToHexStringLower(bytes.AsSpan(0, 8));
    }

    public static string ContentHash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
