using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// Appends the body of an index file (after a fixed-size header written last) and hashes it (XXH3) as it goes, so a
/// reader can tell a complete file from a partial or damaged one.
/// </summary>
public sealed class IndexFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly XxHash3 _hash = new();
    private readonly int _headerSize;

    public IndexFileWriter(string path, int headerSize)
    {
        _headerSize = headerSize;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        _stream.Write(new byte[headerSize]);
    }

    /// <summary>Offset of the next byte written.</summary>
    public long Position => _stream.Position;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _hash.Append(bytes);
    }

    public void WriteArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged => Write(MemoryMarshal.AsBytes(values));

    /// <summary>Pads to a multiple of 8 so arrays that follow are aligned.</summary>
    public void Align()
    {
        var padding = (int)((8 - (Position % 8)) % 8);
        if (padding > 0)
        {
            Write(stackalloc byte[padding]);
        }
    }

    /// <summary>XXH3 of everything written after the header.</summary>
    public ulong BodyHash => _hash.GetCurrentHashAsUInt64();

    /// <summary>Writes the header at offset 0, then flushes the file to disk.</summary>
    public void Finish(ReadOnlySpan<byte> header)
    {
        if (header.Length > _headerSize)
        {
            throw new ArgumentException("The header is larger than its reserved space.", nameof(header));
        }
        _stream.Flush();
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>XXH3 of the file's bytes after the header, read through its map.</summary>
    public static ulong HashBody(MappedFile file, int headerSize)
    {
        ArgumentNullException.ThrowIfNull(file);
        var hash = new XxHash3();
        const long chunk = 1L << 28;
        for (long offset = headerSize; offset < file.Length; offset += chunk)
        {
            hash.Append(file.Bytes(offset, Math.Min(chunk, file.Length - offset)));
        }
        return hash.GetCurrentHashAsUInt64();
    }

    public void Dispose() => _stream.Dispose();
}
