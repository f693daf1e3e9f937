namespace PolicyChat.Core.Documents;

/// <summary>
/// Reads a regular file with the size limit enforced on the bytes actually read (a file's reported size can lie: a
/// growing file, /proc files report 0). Anything that is not a regular file is refused before it is opened, so a FIFO
/// cannot block and a device cannot stream forever.
/// </summary>
internal static class BoundedFile
{
    internal readonly record struct Read(byte[]? Bytes, FileKind Kind, bool TooLarge);

    public static async Task<Read> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        var kind = FileKinds.Resolve(path).Kind;
        if (kind != FileKind.RegularFile)
        {
            return new Read(null, kind, false);
        }
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        });
        var limit = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        var buffer = new byte[(int)Math.Min(limit + 1L, Math.Max(stream.Length + 1, 4096))];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled > limit)
                {
                    return new Read(null, kind, true);
                }
                Array.Resize(ref buffer, (int)Math.Min(limit + 1L, buffer.Length * 2L));
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        if (filled > limit)
        {
            return new Read(null, kind, true);
        }
        Array.Resize(ref buffer, filled);
        return new Read(buffer, kind, false);
    }
}
