using System.Globalization;

namespace PolicyChat.Core.Documents;

/// <summary>Thrown while reading when a document expands beyond <see cref="DocumentLoaderOptions.MaxExtractedChars"/>.</summary>
internal sealed class ExtractionLimitException() : Exception("the document expands beyond the extraction limit")
{
    public static string Reason(long maxChars) =>
        "skipped: expands beyond the limit of " + maxChars.ToString("N0", CultureInfo.InvariantCulture) + " characters (Ingestion:MaxExtractedChars)";
}

/// <summary>
/// A read-only view of a decompressing stream that stops with <see cref="ExtractionLimitException"/> once more than
/// <c>maxBytes</c> have come out of it, so a zip bomb is abandoned after a bounded amount of work and memory.
/// </summary>
internal sealed class ExpansionLimitedStream(Stream inner, long maxBytes) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        _read += read;
        if (_read > maxBytes)
        {
            throw new ExtractionLimitException();
        }
        return read;
    }
}
