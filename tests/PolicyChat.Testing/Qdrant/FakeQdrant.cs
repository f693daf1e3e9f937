using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qdrant.Client.Grpc;

namespace PolicyChat.Testing.Qdrant;

/// <summary>One call the fake received: the gRPC method (e.g. "Upsert", "CreateCollection"), the request and its api-key header.</summary>
public sealed record FakeQdrantCall(string Method, IMessage Request, string? ApiKey);

/// <summary>A fault to inject: calls to <see cref="Method"/> (matching <see cref="When"/>) after <see cref="Skip"/> are answered with <see cref="Status"/>, <see cref="Times"/> times.</summary>
public sealed class FakeQdrantFault
{
    public required string Method { get; init; }

    public Func<IMessage, bool>? When { get; init; }

    public int Skip { get; init; }

    public int Times { get; init; } = 1;

    /// <summary>OK: no error, only the <see cref="Delay"/> (a slow server).</summary>
    public StatusCode Status { get; init; } = StatusCode.Unavailable;

    public string Detail { get; init; } = "injected by the test";

    public TimeSpan Delay { get; init; }

    /// <summary>Runs with the request when the fault fires, before the answer (e.g. to stop the server).</summary>
    public Action<IMessage>? Then { get; init; }

    internal int Seen;

    public int Fired { get; internal set; }
}

/// <summary>
/// An in-process Qdrant gRPC server on <see cref="FakeQdrantEngine"/>, hosted by Grpc.AspNetCore either on TestServer
/// (no sockets; connect with <see cref="CreateHandler"/>) or on a Kestrel loopback port (HTTP/2), which can be stopped and
/// started again on the same port over the same data. It records every call, checks the api-key header, and injects
/// faults (gRPC status codes, delays) per method.
/// </summary>
public sealed class FakeQdrant : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<FakeQdrantFault> _faults = [];
    private WebApplication? _app;
    private long _operationId;
    private long _callCount;

    public FakeQdrant(FakeQdrantEngine? engine = null) => Engine = engine ?? new FakeQdrantEngine();

    public FakeQdrantEngine Engine { get; }

    public ConcurrentQueue<FakeQdrantCall> Calls { get; } = new();

    /// <summary>False: calls are counted (<see cref="CallCount"/>) but not kept (benchmarks).</summary>
    public bool RecordCalls { get; set; } = true;

    public long CallCount => Interlocked.Read(ref _callCount);

    /// <summary>Calls must carry this api-key header when set (Unauthenticated otherwise).</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>The version the health check reports (weighted RRF needs 1.17+).</summary>
    public string Version { get; set; } = "1.17.0";

    /// <summary>The URL to put in Qdrant:Url: the Kestrel address, or a name only <see cref="CreateHandler"/> serves.</summary>
    public string Url { get; private set; } = "";

    public bool IsRunning => _app is not null;

    public static async Task<FakeQdrant> StartAsync(bool kestrel = false, FakeQdrantEngine? engine = null, X509Certificate2? certificate = null)
    {
        var fake = new FakeQdrant(engine);
        await fake.StartAsync(kestrel || certificate is not null ? 0 : null, certificate);
        return fake;
    }

    /// <summary>
    /// Starts on TestServer (<paramref name="port"/> null) or on Kestrel at 127.0.0.1:<paramref name="port"/> (0 = any free port),
    /// over TLS with <paramref name="certificate"/> when given.
    /// </summary>
    public async Task StartAsync(int? port, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        builder.Services.AddSingleton(this);
        builder.Services.AddSingleton<FakeQdrantPoints>().AddSingleton<FakeQdrantCollections>().AddSingleton<FakeQdrantHealth>();
        FakeQdrantPoints.DrainUpserts |= Engine.DiscardPoints;
        if (port is { } p)
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, p, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    l.UseHttps(certificate);
                }
            }));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }
        var app = builder.Build();
        app.MapGrpcService<FakeQdrantPoints>();
        app.MapGrpcService<FakeQdrantCollections>();
        app.MapGrpcService<FakeQdrantHealth>();
        await app.StartAsync();
        _app = app;
        Url = port is null ? "http://fake-qdrant:6334" : app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>Stops the server as a crash would (connections refused afterwards); the engine keeps its data.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(new CancellationToken(canceled: true)); // no graceful drain: connections drop as in a crash
            await app.DisposeAsync();
        }
    }

    /// <summary>Stops the server without waiting (from inside a call: the answer to that call is lost too).</summary>
    public void Kill() => _ = StopAsync();

    /// <summary>Starts again on the same Kestrel port over the same engine.</summary>
    public Task RestartAsync() => StartAsync(new Uri(Url).Port);

    /// <summary>The handler that reaches this server on TestServer (for QdrantIndexStore's handler factory).</summary>
    public HttpMessageHandler CreateHandler() => (_app ?? throw new InvalidOperationException("The fake Qdrant is not running.")).GetTestServer().CreateHandler();

    public FakeQdrantFault AddFault(FakeQdrantFault fault)
    {
        lock (_lock)
        {
            _faults.Add(fault);
        }
        return fault;
    }

    public void ClearFaults()
    {
        lock (_lock)
        {
            _faults.Clear();
        }
    }

    public IEnumerable<T> Requests<T>(string method)
        where T : IMessage => Calls.Where(c => c.Method == method).Select(c => c.Request).OfType<T>();

    internal PointsOperationResponse Completed() =>
        new() { Result = new UpdateResult { OperationId = (ulong)Interlocked.Increment(ref _operationId), Status = UpdateStatus.Completed } };

    internal async Task<TResponse> HandleAsync<TResponse>(string method, IMessage request, ServerCallContext context, Func<FakeQdrantEngine, TResponse> handle)
    {
        var apiKey = context.RequestHeaders.GetValue("api-key");
        Interlocked.Increment(ref _callCount);
        if (RecordCalls)
        {
            Calls.Enqueue(new FakeQdrantCall(method, request, apiKey));
        }
        if (RequiredApiKey is not null && apiKey != RequiredApiKey)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Invalid api-key"));
        }
        FakeQdrantFault? fired = null;
        lock (_lock)
        {
            foreach (var fault in _faults)
            {
                if (fault.Method == method && (fault.When?.Invoke(request) ?? true) && fault.Seen++ >= fault.Skip && fault.Fired < fault.Times)
                {
                    fault.Fired++;
                    fired = fault;
                    break;
                }
            }
        }
        if (fired is not null)
        {
            fired.Then?.Invoke(request);
            if (fired.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(fired.Delay, context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // What a real server reports when the client's deadline passes or the client goes away.
                    var status = context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
                    throw new RpcException(new Status(status, "the client's deadline passed or it cancelled"));
                }
            }
            if (fired.Status != StatusCode.OK)
            {
                throw new RpcException(new Status(fired.Status, fired.Detail));
            }
        }
        lock (_lock)
        {
            return handle(Engine);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
