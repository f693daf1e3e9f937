using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;

namespace PolicyChat.Core.Models;

/// <summary>
/// Pipeline policy that wraps every successful <c>text/event-stream</c> response in a <see cref="SseGuardStream"/>.
/// The OpenAI SDK deserializes an <c>{"error":{…}}</c> data line into an empty update and carries on, so a server
/// failure after the 200 status (vLLM, llama-server) would look like a short, normal answer; and a stream that simply
/// ends would look complete. The guard turns both into <see cref="ModelException"/>s thrown from the stream read,
/// which the SDK lets through to our adapter.
/// </summary>
internal sealed class SseGuardPolicy(ModelCallContext context) : PipelinePolicy
{
    private const int MaxNonStreamBody = 64 * 1024;

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        if (Wrap(message) is { } notAStream)
        {
            var body = new byte[MaxNonStreamBody];
            var length = notAStream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
            throw NotAStream(message, body.AsSpan(0, length));
        }
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex);
        if (Wrap(message) is { } notAStream)
        {
            var body = new byte[MaxNonStreamBody];
            var length = await notAStream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, message.CancellationToken);
            throw NotAStream(message, body.AsSpan(0, length));
        }
    }

    /// <summary>Wraps an event stream; returns the body stream when a streaming request got a 200 that is not one.</summary>
    private Stream? Wrap(PipelineMessage message)
    {
        var response = message.Response;
        if (response is null || response.IsError || response.ContentStream is not { } stream)
        {
            return null;
        }
        response.Headers.TryGetValue("Content-Type", out var contentType);
        if (contentType is not null && contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            response.ContentStream = new SseGuardStream(stream, context);
            return null;
        }
        // The SDK asks for an unbuffered response only when it streams; a JSON body here would parse as zero events.
        return message.BufferResponse ? null : stream;
    }

    private ModelException NotAStream(PipelineMessage message, ReadOnlySpan<byte> body)
    {
        message.Response?.Dispose();
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (ModelErrors.TryGetErrorMessage(document.RootElement, out var error, out var code) && !document.RootElement.TryGetProperty("choices", out _))
            {
                return ModelErrors.ErrorInBody(error, code, context);
            }
        }
        catch (JsonException)
        {
            // Not JSON either.
        }
        return ModelErrors.InvalidResponse(context, "a plain body where an event stream was asked for (stream: true)");
    }
}

/// <summary>
/// A read-only pass-through stream over an SSE body that watches each <c>data:</c> line. It stops the stream with a
/// <see cref="ModelException"/> when a line holds an error object (nested <c>{"error":…}</c> or vLLM's flat
/// <c>{"object":"error"}</c>), and with a <see cref="ModelUnavailableException"/> when the body ends before both
/// <c>[DONE]</c> and any <c>finish_reason</c>. Bytes up to the end of the error line are still delivered, the
/// rest is withheld, so the reader cannot reach a following <c>[DONE]</c> and finish quietly.
/// </summary>
internal sealed class SseGuardStream(Stream inner, ModelCallContext context) : Stream
{
    private const int MaxInspectedLine = 64 * 1024;
    private static readonly byte[] s_dataPrefix = "data:"u8.ToArray();

    private readonly MemoryStream _line = new();
    private bool _lineTooLong;
    private bool _sawDone;
    private bool _sawFinishReason;
    private bool _endOfStream;
    private Exception? _pending;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ThrowIfPending();
        return Inspect(buffer, inner.Read(buffer));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfPending();
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Inspect(buffer.Span, read);
    }

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
            AbortIfUnfinished();
            inner.Dispose();
            _line.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        AbortIfUnfinished();
        await inner.DisposeAsync();
        _line.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>
    /// When the reader stops before the end (cancelled between two updates, or simply stopped reading), closes the
    /// connection instead of letting <see cref="SocketsHttpHandler"/> drain the rest of the answer for connection reuse
    /// (up to 2 s by default, the model generating all along). .NET has no public "abort response" call; cancelling a
    /// read that is waiting on the socket is the documented way to tear down an HTTP/1.1 connection, so start one and
    /// cancel it. Reads that complete at once are buffered data and are skipped (bounded).
    /// </summary>
    private void AbortIfUnfinished()
    {
        if (_sawDone || _endOfStream)
        {
            return;
        }
        _endOfStream = true;
        var scratch = new byte[16 * 1024];
        for (var attempt = 0; attempt < 64; attempt++)
        {
            using var cancel = new CancellationTokenSource();
            ValueTask<int> read;
            try
            {
                read = inner.ReadAsync(scratch, cancel.Token);
                if (read.IsCompleted)
                {
                    if (read.Result == 0)
                    {
                        return;
                    }
                    continue;
                }
                cancel.Cancel();
                read.AsTask().Wait(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex) when (ex is OperationCanceledException or AggregateException or IOException or HttpRequestException or ObjectDisposedException)
            {
                // Expected: the cancelled read tears the connection down.
            }
            return;
        }
    }

    private void ThrowIfPending()
    {
        if (_pending is not null)
        {
            throw _pending;
        }
    }

    /// <summary>Scans the bytes just read; returns how many of them to hand to the reader.</summary>
    private int Inspect(Span<byte> buffer, int read)
    {
        if (read == 0)
        {
            _endOfStream = true;
            if (_line.Length > 0)
            {
                InspectLine();
            }
            if (_pending is null && !_sawDone && !_sawFinishReason)
            {
                _pending = ModelErrors.ConnectionLost(context);
            }
            if (_pending is not null)
            {
                throw _pending;
            }
            return 0;
        }

        for (var i = 0; i < read; i++)
        {
            var b = buffer[i];
            if (b == (byte)'\n')
            {
                InspectLine();
                if (_pending is not null)
                {
                    return i + 1;
                }
            }
            else if (b != (byte)'\r')
            {
                if (_line.Length < MaxInspectedLine)
                {
                    _line.WriteByte(b);
                }
                else
                {
                    _lineTooLong = true;
                }
            }
        }
        return read;
    }

    private void InspectLine()
    {
        try
        {
            if (_lineTooLong || _line.Length < s_dataPrefix.Length)
            {
                return;
            }
            var line = _line.GetBuffer().AsSpan(0, (int)_line.Length);
            if (!line.StartsWith(s_dataPrefix))
            {
                return;
            }
            var payload = line[s_dataPrefix.Length..].Trim((byte)' ');
            if (payload.SequenceEqual("[DONE]"u8))
            {
                _sawDone = true;
                return;
            }
            if (payload.Length == 0 || payload[0] != (byte)'{')
            {
                return;
            }
            InspectJson(payload);
        }
        finally
        {
            _line.SetLength(0);
            _lineTooLong = false;
        }
    }

    private void InspectJson(ReadOnlySpan<byte> payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException)
        {
            // Not ours to judge; the SDK reports unparsable events itself.
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (ModelErrors.TryGetErrorMessage(root, out var message, out var code) && !root.TryGetProperty("choices", out _))
            {
                _pending = ModelErrors.ErrorInBody(message ?? Encoding.UTF8.GetString(payload), code, context);
                return;
            }
            if (!_sawFinishReason && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.ValueKind == JsonValueKind.Object
                        && choice.TryGetProperty("finish_reason", out var reason)
                        && reason.ValueKind == JsonValueKind.String)
                    {
                        _sawFinishReason = true;
                    }
                }
            }
        }
    }
}
