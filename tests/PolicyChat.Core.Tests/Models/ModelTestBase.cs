using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;
using PolicyChat.Core.Models;
using PolicyChat.Testing;

namespace PolicyChat.Core.Tests.Models;

/// <summary>A scripted server and an HTTP client per test, plus helpers to build clients and drain streams.</summary>
public abstract class ModelTestBase : IAsyncLifetime
{
    protected const string ChatModel = "qwen2.5:7b";
    protected const string EmbeddingModel = "bge-m3";

    private ScriptedOpenAiServer? _server;

    protected ScriptedOpenAiServer Server => _server ?? throw new InvalidOperationException("Server not started.");

    protected HttpClient Http { get; } = ModelEndpoints.CreateHttpClient(TimeSpan.FromSeconds(2));

    protected static IReadOnlyList<ChatMessage> Question { get; } =
    [
        new(ChatRole.System, "Answer from the sources only."),
        new(ChatRole.User, "ما هي سياسة حماية البيانات؟"),
    ];

    public async Task InitializeAsync() => _server = await ScriptedOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected LlmOptions LlmOptionsFor(int timeoutSeconds = 5, string? model = null, string apiKey = "") => new()
    {
        Endpoint = Server.BaseUrl,
        Model = model ?? ChatModel,
        ApiKey = apiKey,
        TimeoutSeconds = timeoutSeconds,
        FirstTokenTimeoutSeconds = timeoutSeconds,
    };

    /// <summary>The product's chat client pipeline without the circuit breaker (each test sees every call reach the server).</summary>
    protected IChatClient NewChatClient(int timeoutSeconds = 5, string? model = null, string apiKey = "") =>
        ModelClients.CreateChatClient(LlmOptionsFor(timeoutSeconds, model, apiKey), Http, withBreaker: false);

    protected EmbeddingOptions EmbeddingOptionsFor(int batchSize = 32, int? dimensions = null, int timeoutSeconds = 5) => new()
    {
        Endpoint = Server.BaseUrl,
        Model = EmbeddingModel,
        BatchSize = batchSize,
        Dimensions = dimensions,
        TimeoutSeconds = timeoutSeconds,
    };

    /// <summary>Drains a stream; returns the text and the updates.</summary>
    protected static async Task<(string Text, List<ChatResponseUpdate> Updates)> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }
        return (string.Concat(updates.Select(u => u.Text)), updates);
    }

    /// <summary>Drains a stream that is expected to fail; returns the text received before the failure and the exception.</summary>
    protected static async Task<(string Text, Exception Error)> CollectUntilErrorAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var text = new System.Text.StringBuilder();
        try
        {
            await foreach (var update in stream)
            {
                text.Append(update.Text);
            }
        }
        catch (Exception ex)
        {
            return (text.ToString(), ex);
        }
        throw new Xunit.Sdk.XunitException($"The stream completed without an error; text: '{text}'.");
    }

    /// <summary>A loopback URL on which nothing listens (connection refused).</summary>
    protected static string ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    /// <summary>Waits until the server has finished handling the request, so its abort flag is final.</summary>
    protected static async Task<RecordedRequest> FinishedAsync(RecordedRequest request)
    {
        await request.Completed.WaitAsync(TimeSpan.FromSeconds(5));
        return request;
    }
}
