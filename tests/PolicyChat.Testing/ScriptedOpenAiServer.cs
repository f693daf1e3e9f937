using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PolicyChat.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 (random port, Kestrel) that speaks the OpenAI-compatible protocol the way
/// Ollama, llama-server and vLLM do: <c>POST /v1/chat/completions</c> (streaming and not), <c>POST /v1/embeddings</c>
/// (deterministic hashed bag-of-words vectors, see <see cref="ScriptedEmbeddings"/>) and <c>GET /v1/models</c>.
/// Answers are scripted per request (queues first, then <see cref="ChatHandler"/>), and every request is recorded,
/// including whether the client went away while it was being answered.
/// <code>
/// await using var server = await ScriptedOpenAiServer.StartAsync();
/// server.EnqueueChat(ScriptedReply.Text("answer [1]."));
/// // point the client at server.BaseUrl (no /v1 suffix)
/// </code>
/// </summary>
public sealed class ScriptedOpenAiServer : IAsyncDisposable
{
    public const string ChatPath = "/v1/chat/completions";
    public const string EmbeddingsPath = "/v1/embeddings";
    public const string ModelsPath = "/v1/models";

    private static readonly TimeSpan s_dropGrace = TimeSpan.FromMilliseconds(150);
    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentQueue<ScriptedReply> _chatReplies = new();
    private readonly ConcurrentQueue<ScriptedReply> _embeddingReplies = new();
    private readonly ConcurrentQueue<ScriptedReply> _modelReplies = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private int _completionCounter;

    private ScriptedOpenAiServer(WebApplication app)
    {
        _app = app;
        _app.Run(HandleAsync);
    }

    /// <summary>Base URL without <c>/v1</c>, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Answers chat requests when the chat queue is empty. Default: a fixed short answer.</summary>
    public Func<RecordedRequest, ScriptedReply> ChatHandler { get; set; } = _ => ScriptedReply.Text("Scripted answer.");

    /// <summary>Models listed by <c>GET /v1/models</c>.</summary>
    public IReadOnlyList<string> Models { get; set; } = ["qwen2.5:7b", "bge-m3:latest"];

    /// <summary>When true, chat and embedding requests for a model not in <see cref="Models"/> get Ollama's 404.</summary>
    public bool RejectUnknownModels { get; set; }

    /// <summary>When set, requests without <c>Authorization: Bearer {key}</c> get 401.</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>Vector size of generated embeddings when the request does not ask for <c>dimensions</c>.</summary>
    public int EmbeddingDimensions { get; set; } = 32;

    /// <summary>When true, embeddings are float arrays whatever <c>encoding_format</c> asks (Ollama before 0.12.7).</summary>
    public bool IgnoreEncodingFormat { get; set; }

    /// <summary>When true, embedding results are listed in reverse order (their <c>index</c> stays correct).</summary>
    public bool ReverseEmbeddingOrder { get; set; }

    /// <summary>All requests received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsLock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Forgets the recorded requests (long benchmarks measure memory without them).</summary>
    public void ClearRequests()
    {
        lock (_requestsLock)
        {
            _requests.Clear();
        }
    }

    public IReadOnlyList<RecordedRequest> ChatRequests => [.. Requests.Where(r => r.Path == ChatPath)];

    public IReadOnlyList<RecordedRequest> EmbeddingRequests => [.. Requests.Where(r => r.Path == EmbeddingsPath)];

    public static async Task<ScriptedOpenAiServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var server = new ScriptedOpenAiServer(builder.Build());
        await server._app.StartAsync(cancellationToken);
        var addresses = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>() ?? throw new InvalidOperationException("Kestrel reported no address.");
        server.BaseUrl = addresses.Addresses.First().TrimEnd('/');
        return server;
    }

    public void EnqueueChat(params ScriptedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _chatReplies.Enqueue(reply);
        }
    }

    /// <summary>
    /// Scripts the next embeddings responses: a reply with a <see cref="ScriptedReply.Body"/> is sent verbatim,
    /// <see cref="ScriptedReply.Drop"/> drops the connection, anything else (e.g.
    /// <c>ScriptedReply.Generated().WithFirstByteDelay(…)</c>) delays and then answers with generated vectors.
    /// </summary>
    public void EnqueueEmbeddings(params ScriptedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _embeddingReplies.Enqueue(reply);
        }
    }

    /// <summary>Scripts the next <c>GET /v1/models</c> responses (same rules as <see cref="EnqueueEmbeddings"/>).</summary>
    public void EnqueueModels(params ScriptedReply[] replies)
    {
        foreach (var reply in replies)
        {
            _modelReplies.Enqueue(reply);
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived (or throws after <paramref name="timeout"/>).</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(int count = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            lock (_requestsLock)
            {
                if (_requests.Count >= count)
                {
                    return _requests[count - 1];
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The scripted server received fewer than {count} request(s).");
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(stopTimeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Connections that did not drain in time are aborted by DisposeAsync below.
        }
        await _app.DisposeAsync();
        _shutdown.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var record = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", body, context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null);
        lock (_requestsLock)
        {
            _requests.Add(record);
        }

        var state = new HandlerState(context, record);
        var registration = context.RequestAborted.Register(static s => ((HandlerState)s!).OnRequestAborted(), state);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown.Token);
        try
        {
            await RouteAsync(state, linked.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && !_shutdown.IsCancellationRequested)
        {
            // A delay or a write failed because the client went away; Kestrel may report the reset on the write
            // before it signals RequestAborted, so record it here too.
            state.OnRequestAborted();
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // The server is shutting down.
        }
        finally
        {
            // Dispose waits for a running callback, so ClientAborted is final before Completed fires.
            await registration.DisposeAsync();
            record.MarkCompleted();
        }
    }

    private async Task RouteAsync(HandlerState state, CancellationToken cancellationToken)
    {
        var context = state.Context;
        var record = state.Record;
        if (RequiredApiKey is { } key && record.Authorization != "Bearer " + key)
        {
            await WriteBodyAsync(context, ScriptedReply.Error(401, "Invalid API Key", "authentication_error"), cancellationToken);
            return;
        }

        switch (record.Method, record.Path)
        {
            case ("POST", ChatPath):
                var chatReply = UnknownModelReply(record) ?? (_chatReplies.TryDequeue(out var queued) ? queued : ChatHandler(record));
                await WriteChatAsync(state, chatReply, cancellationToken);
                break;
            case ("POST", EmbeddingsPath):
                var embeddingReply = UnknownModelReply(record) ?? (_embeddingReplies.TryDequeue(out var queuedEmbedding) ? queuedEmbedding : ScriptedReply.Generated());
                await WriteGeneratedOrScriptedAsync(state, embeddingReply, () => EmbeddingsJson(record), cancellationToken);
                break;
            case ("GET", ModelsPath):
                var modelsReply = _modelReplies.TryDequeue(out var queuedModels) ? queuedModels : ScriptedReply.Generated();
                await WriteGeneratedOrScriptedAsync(state, modelsReply, ModelsJson, cancellationToken);
                break;
            default:
                // Ollama's plain-text 404 for unknown routes.
                await WriteBodyAsync(context, ScriptedReply.Status(404, "404 page not found", "text/plain"), cancellationToken);
                break;
        }
    }

    private ScriptedReply? UnknownModelReply(RecordedRequest record) =>
        RejectUnknownModels && record.Model is { } model && !Models.Contains(model, StringComparer.Ordinal) && !Models.Contains(model + ":latest", StringComparer.Ordinal)
            ? ScriptedReply.ModelNotFound(model)
            : null;

    private static async Task WriteGeneratedOrScriptedAsync(HandlerState state, ScriptedReply reply, Func<string> generate, CancellationToken cancellationToken)
    {
        await Task.Delay(reply.FirstByteDelay, cancellationToken);
        if (reply.DropAfterDeltas)
        {
            state.Drop();
            return;
        }
        await WriteBodyAsync(state.Context, reply.Body is null ? ScriptedReply.Json(generate()) : reply, cancellationToken);
    }

    private static async Task WriteBodyAsync(HttpContext context, ScriptedReply reply, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = reply.StatusCode;
        context.Response.ContentType = reply.ContentType;
        await context.Response.WriteAsync(reply.Body ?? "", cancellationToken);
    }

    private async Task WriteChatAsync(HandlerState state, ScriptedReply reply, CancellationToken cancellationToken)
    {
        var context = state.Context;
        await Task.Delay(reply.FirstByteDelay, cancellationToken);
        if (reply.Body is not null)
        {
            await WriteBodyAsync(context, reply, cancellationToken);
            return;
        }

        var id = "chatcmpl-scripted-" + Interlocked.Increment(ref _completionCounter);
        var model = reply.ReportedModel ?? state.Record.Model ?? "scripted";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        if (!state.Record.Stream)
        {
            await WriteNonStreamingAsync(state, reply, id, model, created, cancellationToken);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(cancellationToken);

        if (reply.RawStream is not null)
        {
            await context.Response.WriteAsync(reply.RawStream, cancellationToken);
            return;
        }

        var quirks = reply.Quirks;
        var first = true;
        async Task SendAsync(JsonObject chunk)
        {
            if (!first && reply.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(reply.ChunkDelay, cancellationToken);
            }
            first = false;
            var text = new StringBuilder();
            if (quirks.HasFlag(StreamQuirks.CommentLines))
            {
                text.Append(": keep-alive\n");
            }
            text.Append("data: ").Append(chunk.ToJsonString(s_json)).Append("\n\n");
            if (quirks.HasFlag(StreamQuirks.BlankLines))
            {
                text.Append("\n\n");
            }
            await context.Response.WriteAsync(text.ToString(), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
        }

        JsonObject Chunk(JsonObject? delta, string? finishReason, bool withChoice = true)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = model,
            };
            if (quirks.HasFlag(StreamQuirks.UnknownFields))
            {
                chunk["system_fingerprint"] = "b4321-scripted";
            }
            chunk["choices"] = withChoice
                ? new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["delta"] = delta ?? new JsonObject(),
                    ["logprobs"] = null,
                    ["finish_reason"] = finishReason,
                })
                : new JsonArray();
            return chunk;
        }

        if (quirks.HasFlag(StreamQuirks.CommentLines))
        {
            await context.Response.WriteAsync(": ping - scripted server\n\n", cancellationToken);
        }
        if (quirks.HasFlag(StreamQuirks.EmptyChoicesChunk))
        {
            await SendAsync(Chunk(null, null, withChoice: false));
        }
        var roleSent = false;
        if (quirks.HasFlag(StreamQuirks.NullContent))
        {
            await SendAsync(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = null }, null));
            roleSent = true;
        }
        if (quirks.HasFlag(StreamQuirks.UnknownFields))
        {
            var thinking = Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "", ["reasoning_content"] = "Let me think.", ["reasoning"] = "Let me think." }, null);
            await SendAsync(thinking);
            roleSent = true;
        }

        var inlineFinish = !quirks.HasFlag(StreamQuirks.FinishReasonSeparate);
        IReadOnlyList<string> deltas = reply.Deltas.Count == 0 && inlineFinish && !reply.DropAfterDeltas && reply.MidStreamErrorMessage is null ? [""] : reply.Deltas;
        for (var i = 0; i < deltas.Count; i++)
        {
            var delta = new JsonObject();
            if (!roleSent)
            {
                delta["role"] = "assistant";
                roleSent = true;
            }
            delta["content"] = deltas[i];
            if (quirks.HasFlag(StreamQuirks.UnknownFields))
            {
                delta["reasoning_content"] = null;
            }
            var isLast = i == deltas.Count - 1 && !reply.DropAfterDeltas && reply.MidStreamErrorMessage is null;
            var chunk = Chunk(delta, isLast && inlineFinish ? reply.FinishReason : null);
            if (isLast && inlineFinish)
            {
                AddTail(chunk, reply, quirks);
            }
            await SendAsync(chunk);
            if (i == 0 && quirks.HasFlag(StreamQuirks.MissingContent))
            {
                await SendAsync(Chunk(new JsonObject(), null));
            }
        }

        if (reply.DropAfterDeltas)
        {
            await context.Response.Body.FlushAsync(cancellationToken);
            // Give the client time to read what was sent: a reset discards data the peer has not read yet.
            await Task.Delay(reply.ChunkDelay > s_dropGrace ? reply.ChunkDelay : s_dropGrace, cancellationToken);
            state.Drop();
            return;
        }
        if (reply.MidStreamErrorMessage is not null)
        {
            var error = new JsonObject
            {
                ["error"] = new JsonObject { ["message"] = reply.MidStreamErrorMessage, ["type"] = "server_error", ["code"] = 500 },
            };
            await context.Response.WriteAsync("data: " + error.ToJsonString(s_json) + "\n\n", cancellationToken);
            await context.Response.WriteAsync("data: [DONE]\n\n", cancellationToken);
            return;
        }
        if (!inlineFinish)
        {
            var finish = Chunk(new JsonObject(), reply.FinishReason);
            AddTail(finish, reply, quirks);
            await SendAsync(finish);
        }
        if (reply.Usage == UsageMode.Separate)
        {
            var usageChunk = Chunk(null, null, withChoice: false);
            usageChunk["usage"] = Usage(reply);
            await SendAsync(usageChunk);
        }
        if (!quirks.HasFlag(StreamQuirks.NoDoneMarker))
        {
            await context.Response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        }
    }

    private static void AddTail(JsonObject chunk, ScriptedReply reply, StreamQuirks quirks)
    {
        if (reply.Usage == UsageMode.Inline)
        {
            chunk["usage"] = Usage(reply);
        }
        if (quirks.HasFlag(StreamQuirks.UnknownFields))
        {
            chunk["timings"] = new JsonObject { ["prompt_n"] = reply.PromptTokens, ["predicted_n"] = reply.CompletionTokens, ["predicted_per_second"] = 42.5 };
        }
    }

    private static JsonObject Usage(ScriptedReply reply) => new()
    {
        ["prompt_tokens"] = reply.PromptTokens,
        ["completion_tokens"] = reply.CompletionTokens,
        ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens,
    };

    private static async Task WriteNonStreamingAsync(HandlerState state, ScriptedReply reply, string id, string model, long created, CancellationToken cancellationToken)
    {
        var context = state.Context;
        if (reply.MidStreamErrorMessage is not null)
        {
            await WriteBodyAsync(context, ScriptedReply.Error(500, reply.MidStreamErrorMessage, "server_error"), cancellationToken);
            return;
        }
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.FullText };
        if (reply.Quirks.HasFlag(StreamQuirks.UnknownFields))
        {
            message["reasoning_content"] = "Let me think.";
        }
        var completion = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = reply.FinishReason }),
        };
        if (reply.Usage != UsageMode.Absent)
        {
            completion["usage"] = Usage(reply);
        }
        if (reply.Quirks.HasFlag(StreamQuirks.UnknownFields))
        {
            completion["timings"] = new JsonObject { ["predicted_per_second"] = 42.5 };
        }
        var json = completion.ToJsonString(s_json);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        if (reply.DropAfterDeltas)
        {
            await context.Response.WriteAsync(json[..(json.Length / 2)], cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            state.Drop();
            return;
        }
        await context.Response.WriteAsync(json, cancellationToken);
    }

    private string EmbeddingsJson(RecordedRequest record)
    {
        var dimensions = record.Json?["dimensions"] is JsonValue d && d.TryGetValue<int>(out var requested) ? requested : EmbeddingDimensions;
        var base64 = !IgnoreEncodingFormat && string.Equals(record.EncodingFormat, "base64", StringComparison.Ordinal);
        var inputs = record.Inputs;
        var data = new JsonArray();
        var order = Enumerable.Range(0, inputs.Count);
        if (ReverseEmbeddingOrder)
        {
            order = order.Reverse();
        }
        foreach (var i in order)
        {
            var vector = ScriptedEmbeddings.Embed(inputs[i], dimensions);
            JsonNode embedding = base64
                ? JsonValue.Create(Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())))
                : new JsonArray([.. vector.Select(x => (JsonNode)JsonValue.Create(x))]);
            data.Add(new JsonObject { ["object"] = "embedding", ["embedding"] = embedding, ["index"] = i });
        }
        var tokens = inputs.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = record.Model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }.ToJsonString(s_json);
    }

    private string ModelsJson()
    {
        var data = new JsonArray();
        foreach (var model in Models)
        {
            data.Add(new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = 1_700_000_000, ["owned_by"] = "library" });
        }
        return new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(s_json);
    }

    private sealed class HandlerState(HttpContext context, RecordedRequest record)
    {
        private volatile bool _dropping;

        public HttpContext Context { get; } = context;

        public RecordedRequest Record { get; } = record;

        public void OnRequestAborted()
        {
            if (!_dropping)
            {
                Record.MarkClientAborted();
            }
        }

        public void Drop()
        {
            _dropping = true;
            Record.MarkServerDropped();
            Context.Abort();
        }
    }
}
