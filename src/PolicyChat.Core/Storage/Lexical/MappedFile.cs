using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace PolicyChat.Core.Storage.Lexical;

/// <summary>
/// A read-only memory-mapped file read as spans: the operating system pages it in on demand and shares the pages
/// between processes, so opening costs no copy and its bytes are not managed memory. Released by <see cref="Dispose"/>
/// or, for a map still read by searches when an index is swapped, by the finalizer of the view handle.
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private bool _disposed;

    private MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, long length)
    {
        _map = map;
        _view = view;
        Length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    public long Length { get; }

    public static MappedFile Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = stream.Length;
        if (length == 0)
        {
            throw new InvalidDataException($"{path} is empty.");
        }
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        try
        {
            return new MappedFile(map, map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read), length);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>The bytes at [offset, offset + length); throws when outside the file.</summary>
    public ReadOnlySpan<byte> Bytes(long offset, long length)
    {
        if (offset < 0 || length < 0 || length > int.MaxValue || offset > Length - length)
        {
            throw new InvalidDataException($"Index file section [{offset}, +{length}) lies outside the file ({Length} bytes).");
        }
        return new ReadOnlySpan<byte>(_pointer + offset, (int)length);
    }

    /// <summary><paramref name="count"/> values of <typeparamref name="T"/> at <paramref name="offset"/>.</summary>
    public ReadOnlySpan<T> Array<T>(long offset, long count)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes(offset, count * sizeof(T)));

    public T Read<T>(long offset)
        where T : unmanaged => Array<T>(offset, 1)[0];

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    // A map dropped without Dispose (an index swapped while searches may still read it) is released when collected.
    ~MappedFile() => Release();

    private void Release()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
