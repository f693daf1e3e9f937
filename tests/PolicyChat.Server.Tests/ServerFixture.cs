using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyChat.Benchmarks;
using PolicyChat.Server.Seeding;
using PolicyChat.Testing;

namespace PolicyChat.Server.Tests;

/// <summary>
/// A PolicyChat server in memory (WebApplicationFactory) with its own temporary SQLite index and conversations
/// database, seeded from the repository's corpus/ and a temporary web root holding a placeholder index.html.
/// Subclasses choose the settings; <see cref="UseModel"/> points the language model at a <see cref="ScriptedOpenAiServer"/>.
/// </summary>
public abstract partial class ServerFixture : IAsyncLifetime
{
    public const string UserKey = "user-key-0123456789abcdef";
    public const string OtherUserKey = "other-key-0123456789abcdef";
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string PagePlaceholder = "<!doctype html><title>PolicyChat test page</title>";

    private WebApplicationFactory<Program>? _factory;

    protected ServerFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "wwwroot"));
        File.WriteAllText(Path.Combine(Directory, "wwwroot", "index.html"), PagePlaceholder);
    }

    public string Directory { get; }

    /// <summary>Everything the server logged.</summary>
    public LogSink Log { get; } = new();

    /// <summary>The scripted language model, when <see cref="UseModel"/> is true.</summary>
    public ScriptedOpenAiServer? Model { get; private set; }

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    protected virtual bool UseModel => false;

    /// <summary>Settings on top of the defaults (temp databases, seed corpus, generous rate limits).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() => [];

    public static string RepoRoot { get; } = FindRepoRoot();

    public async Task InitializeAsync()
    {
        if (UseModel)
        {
            Model = await ScriptedOpenAiServer.StartAsync();
            Model.ChatHandler = AnswerFromFirstPassage;
            Model.Models = ["scripted-model"];
        }
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:Sqlite:Path"] = Path.Combine(Directory, "index.db"),
            ["Conversations:Path"] = Path.Combine(Directory, "conversations.db"),
            ["Answer:PromptsPath"] = Path.Combine(RepoRoot, "prompts"),
            ["Answer:CrossLingual"] = "false",
            ["Embedding:Endpoint"] = "",
            ["Embedding:Model"] = "",
            ["Llm:Endpoint"] = Model?.BaseUrl ?? "",
            ["Llm:Model"] = Model is null ? "" : "scripted-model",
            ["Server:SeedCorpusPath"] = Path.Combine(RepoRoot, "corpus"),
            ["RateLimits:RequestsPerMinute"] = "100000",
            ["RateLimits:Burst"] = "100000",
            ["RateLimits:HubQuestionsPerMinute"] = "100000",
            ["RateLimits:HubBurst"] = "100000",
            ["RateLimits:HubConnectionsPerMinute"] = "100000",
            ["RateLimits:HubConnectionBurst"] = "100000",
            ["RateLimits:ConcurrentAnswersPerClient"] = "1000",
        };
        foreach (var (key, value) in Settings())
        {
            settings[key] = value;
        }
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.ConfigureLogging(logging => logging.AddProvider(Log));
            builder.UseSetting(WebHostDefaults.WebRootKey, Path.Combine(Directory, "wwwroot"));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _ = _factory.Server;
        var seeding = _factory.Services.GetRequiredService<SeedingStatus>();
        await seeding.Finished.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold a pooled handle; the OS cleans temp.
        }
    }

    public HttpClient CreateClient(string? key = null, string? language = null)
    {
        var client = Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(language));
        }
        return client;
    }

    /// <summary>Connects to the hub over the in-memory WebSocket transport (no negotiate), as the browser client does with skipNegotiation.</summary>
    internal async Task<SignalRJsonClient> ConnectHubAsync(string? accessToken = null, CancellationToken cancellationToken = default)
    {
        var socket = await ConnectHubSocketAsync(accessToken, cancellationToken);
        return await SignalRJsonClient.ConnectAsync(socket, cancellationToken);
    }

    public Task<WebSocket> ConnectHubSocketAsync(string? accessToken = null, CancellationToken cancellationToken = default)
    {
        var client = Factory.Server.CreateWebSocketClient();
        var uri = new UriBuilder(Factory.Server.BaseAddress) { Scheme = "ws", Path = "/hubs/chat" };
        if (accessToken is not null)
        {
            uri.Query = "access_token=" + Uri.EscapeDataString(accessToken);
        }
        return client.ConnectAsync(uri.Uri, cancellationToken);
    }

    /// <summary>
    /// The scripted model's answer to an answer prompt: the longest line of passage [1], cited as [1] (so the citation
    /// verifies); to any other prompt (rewrite, translation), the last line of the prompt.
    /// </summary>
    public static ScriptedReply AnswerFromFirstPassage(RecordedRequest request)
    {
        var messages = request.Messages;
        var prompt = messages.Count == 0 ? "" : messages[^1].Content;
        var passage = FirstPassage().Match(prompt);
        if (!passage.Success)
        {
            var last = prompt.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            return ScriptedReply.Text(last.Contains(':', StringComparison.Ordinal) ? last[(last.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : last);
        }
        // The source's own footnote markers ("[1][2]" in a news text) would read as citations of other passages.
        var line = SourceMarkers().Replace(passage.Groups["text"].Value, "").Split('\n').MaxBy(l => l.Length)!.Trim();
        if (line.Length > 240)
        {
            var cut = line.LastIndexOf(' ', 240);
            line = line[..(cut > 0 ? cut : 240)];
        }
        return ScriptedReply.Text(line.TrimEnd('.', '。', ' ') + " [1].");
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("PolicyChat.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\[1\][^\n]*\n(?<text>(?:(?!\n\n\[2\])[\s\S])+)", RegexOptions.Multiline)]
    private static partial Regex FirstPassage();

    [GeneratedRegex(@" ?\[\d+\]")]
    private static partial Regex SourceMarkers();
}

/// <summary>No model (extractive answers), no keys (open).</summary>
public sealed class ExtractiveServerFixture : ServerFixture;

/// <summary>The scripted model, no keys.</summary>
public sealed class ModelServerFixture : ServerFixture
{
    protected override bool UseModel => true;
}

/// <summary>API keys configured: one user key, one admin key.</summary>
public sealed class SecuredServerFixture : ServerFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Auth:ApiKeys:0", UserKey),
        new("Auth:ApiKeys:1", OtherUserKey),
        new("Auth:AdminKeys:0", AdminKey),
    ];
}

/// <summary>Keys and tight rate limits: a burst of 2 requests per key, 2 questions per hub connection.</summary>
public sealed class RateLimitedServerFixture : ServerFixture
{
    public const int Burst = 2;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Auth:ApiKeys:0", UserKey),
        new("Auth:ApiKeys:1", OtherUserKey),
        new("RateLimits:RequestsPerMinute", "1"),
        new("RateLimits:Burst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimits:HubQuestionsPerMinute", "1"),
        new("RateLimits:HubBurst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>Open with anonymous writes allowed (a private machine), small upload limits (64 KB, 3 files) for upload tests.</summary>
public sealed class DocumentsServerFixture : ServerFixture
{
    public const int MaxUploadBytes = 64 * 1024;
    public const int MaxUploadFiles = 3;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Auth:AllowAnonymousWrites", "true"),
        new("Server:MaxUploadBytes", MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Server:MaxUploadFiles", MaxUploadFiles.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}
