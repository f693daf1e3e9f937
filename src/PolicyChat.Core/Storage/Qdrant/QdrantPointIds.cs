using System.Security.Cryptography;
using System.Text;

namespace PolicyChat.Core.Storage.Qdrant;

/// <summary>
/// Deterministic point ids: RFC 4122 name-based UUIDs (version 5, SHA-1) in a PolicyChat namespace, so a retried batch
/// overwrites the same points instead of duplicating them.
/// </summary>
internal static class QdrantPointIds
{
    private static readonly byte[] s_namespace = Guid.Parse("5b0c7f5e-2a4f-4f63-9d1e-7c1f0b9d4a11").ToByteArray(bigEndian: true);

    public static Guid Chunk(string documentId, string version, int ordinal) => FromName($"chunk\n{documentId}\n{version}\n{ordinal}");

    public static Guid Document(string documentId) => FromName("doc\n" + documentId);

    public static Guid Embedder { get; } = FromName("meta\nembedder");

    public static Guid Analyzer { get; } = FromName("meta\nanalyzer");

    public static Guid FromName(string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[s_namespace.Length + nameBytes.Length];
        s_namespace.CopyTo(input, 0);
        nameBytes.CopyTo(input, s_namespace.Length);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 prescribes for version-5 UUIDs; it is not used for security here.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
