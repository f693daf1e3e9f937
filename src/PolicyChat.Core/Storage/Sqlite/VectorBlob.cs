using System.Runtime.InteropServices;

namespace PolicyChat.Core.Storage.Sqlite;

/// <summary>float[] ⇄ little-endian BLOB.</summary>
internal static class VectorBlob
{
    public static byte[] ToBytes(float[] vector) => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();

    public static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
