using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PolicyChat.Benchmarks;

/// <summary>
/// A minimal SignalR client for the JSON hub protocol over an open WebSocket (the .NET SignalR client package is not
/// available here). Handshake <c>{"protocol":"json","version":1}</c>, then records separated by 0x1E:
/// StreamInvocation (4) out, StreamItem (2) and Completion (3) in, CancelInvocation (5) out, Ping (6), Close (7).
/// Shared by the server tests and the signalr-load benchmark.
/// </summary>
internal sealed class SignalRJsonClient : IAsyncDisposable
{
    public const char RecordSeparator = '\u001e';
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Channel<JsonElement>> _invocations = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly Channel<JsonElement> _invocations1 = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<string?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiveLoop = Task.CompletedTask;
    private int _nextId;
    private int _disposed;

    private SignalRJsonClient(WebSocket socket) => _socket = socket;

    /// <summary>Invocations (type 1) the server made on this client, e.g. <c>{"type":1,"target":"DocumentsChanged","arguments":[]}</c>.</summary>
    public ChannelReader<JsonElement> ServerInvocations => _invocations1.Reader;

    /// <summary>Completes when the server closes the connection; the value is the Close message's error, if any.</summary>
    public Task<string?> Closed => _closed.Task;

    /// <summary>Performs the handshake on a connected WebSocket and starts receiving.</summary>
    public static async Task<SignalRJsonClient> ConnectAsync(WebSocket socket, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var client = new SignalRJsonClient(socket);
        await client.SendRawAsync("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator, cancellationToken);
        var pending = new List<byte>();
        var handshake = await client.ReadRecordAsync(pending, cancellationToken)
            ?? throw new InvalidOperationException("The server closed the connection during the SignalR handshake.");
        using (var document = JsonDocument.Parse(handshake))
        {
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException("SignalR handshake failed: " + error.GetString());
            }
        }
        client._receiveLoop = client.ReceiveLoopAsync(pending);
        return client;
    }

    /// <summary>Starts a streaming invocation (message type 4).</summary>
    public async Task<HubStream> StreamAsync(string target, object?[] arguments, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var channel = Channel.CreateUnbounded<JsonElement>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _invocations[id] = channel;
        var message = JsonSerializer.Serialize(new { type = 4, invocationId = id, target, arguments, streamIds = Array.Empty<string>() }, s_json);
        await SendRawAsync(message + RecordSeparator, cancellationToken);
        return new HubStream(this, id, channel.Reader);
    }

    /// <summary>Starts a streaming invocation whose one argument is given as raw JSON (to send what a serializer would refuse to write).</summary>
    public async Task<HubStream> StreamRawAsync(string target, string argumentJson, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var channel = Channel.CreateUnbounded<JsonElement>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _invocations[id] = channel;
        var message = "{\"type\":4,\"invocationId\":\"" + id + "\",\"target\":" + JsonSerializer.Serialize(target) + ",\"arguments\":[" + argumentJson + "],\"streamIds\":[]}";
        await SendRawAsync(message + RecordSeparator, cancellationToken);
        return new HubStream(this, id, channel.Reader);
    }

    /// <summary>Sends CancelInvocation (type 5): the server cancels the stream's token.</summary>
    public Task CancelAsync(string invocationId, CancellationToken cancellationToken = default) =>
        SendRawAsync(JsonSerializer.Serialize(new { type = 5, invocationId }, s_json) + RecordSeparator, cancellationToken);

    /// <summary>Sends an arbitrary record (for protocol tests).</summary>
    public Task SendRawAsync(string text, CancellationToken cancellationToken = default) => SendBytesAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Closes the WebSocket abruptly, like a closed browser tab.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _closing.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already gone.
        }
        try
        {
            await _receiveLoop;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        _sendLock.Dispose();
        _closing.Dispose();
    }

    private async Task SendBytesAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync(List<byte> pending)
    {
        string? closeError = null;
        try
        {
            while (await ReadRecordAsync(pending, _closing.Token) is { } record)
            {
                using var document = JsonDocument.Parse(record);
                var root = document.RootElement;
                var type = root.GetProperty("type").GetInt32();
                if (type is 2 or 3 && root.TryGetProperty("invocationId", out var idElement)
                    && _invocations.TryGetValue(idElement.GetString()!, out var channel))
                {
                    channel.Writer.TryWrite(root.Clone());
                    if (type == 3)
                    {
                        channel.Writer.TryComplete();
                        _invocations.TryRemove(idElement.GetString()!, out _);
                    }
                }
                else if (type == 1)
                {
                    _invocations1.Writer.TryWrite(root.Clone());
                }
                else if (type == 7)
                {
                    closeError = root.TryGetProperty("error", out var error) ? error.GetString() : null;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            closeError ??= "connection lost";
        }
        finally
        {
            foreach (var channel in _invocations.Values)
            {
                channel.Writer.TryComplete(new InvalidOperationException("The connection closed: " + (closeError ?? "closed")));
            }
            _invocations.Clear();
            _invocations1.Writer.TryComplete();
            _closed.TrySetResult(closeError);
        }
    }

    /// <summary>The next complete record (without its separator), or null when the socket closed.</summary>
    private async Task<string?> ReadRecordAsync(List<byte> pending, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var separator = pending.IndexOf(0x1E);
                if (separator >= 0)
                {
                    var record = Encoding.UTF8.GetString(pending.GetRange(0, separator).ToArray());
                    pending.RemoveRange(0, separator + 1);
                    return record;
                }
                var received = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                pending.AddRange(buffer.AsSpan(0, received.Count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One streaming invocation: its items, then its completion (with an error, when the hub failed).</summary>
    internal sealed class HubStream(SignalRJsonClient client, string invocationId, ChannelReader<JsonElement> messages)
    {
        public string InvocationId { get; } = invocationId;

        /// <summary>The completion's error, once the stream completed with one.</summary>
        public string? CompletionError { get; private set; }

        /// <summary>The stream's items until its completion; throws <see cref="HubStreamException"/> when the completion carries an error.</summary>
        public async IAsyncEnumerable<JsonElement> ItemsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var message in messages.ReadAllAsync(cancellationToken))
            {
                if (message.GetProperty("type").GetInt32() == 2)
                {
                    yield return message.GetProperty("item");
                    continue;
                }
                if (message.TryGetProperty("error", out var error))
                {
                    CompletionError = error.GetString();
                    throw new HubStreamException(CompletionError ?? "error");
                }
                yield break;
            }
        }

        public Task CancelAsync(CancellationToken cancellationToken = default) => client.CancelAsync(InvocationId, cancellationToken);
    }
}

internal sealed class HubStreamException(string message) : Exception(message);
