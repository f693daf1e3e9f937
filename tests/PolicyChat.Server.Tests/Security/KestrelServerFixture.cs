using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace PolicyChat.Server.Tests.Security;

/// <summary>
/// The server on a real loopback port (Kestrel), open with anonymous writes and no <c>Server:PublicOrigins</c>, so the
/// public origins default to the listening address; 127.0.0.1 is a trusted proxy; nothing is seeded.
/// </summary>
public sealed class KestrelServerFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "policychat-server-tests", Guid.NewGuid().ToString("N"));

    /// <summary>e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Origin { get; private set; } = "";

    public int Port { get; private set; }

    public Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "wwwroot"));
        File.WriteAllText(Path.Combine(Directory, "wwwroot", "index.html"), ServerFixture.PagePlaceholder);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting(WebHostDefaults.WebRootKey, Path.Combine(Directory, "wwwroot"));
            builder.UseSetting("Storage:Provider", "Sqlite");
            builder.UseSetting("Storage:Sqlite:Path", Path.Combine(Directory, "index.db"));
            builder.UseSetting("Conversations:Path", Path.Combine(Directory, "conversations.db"));
            builder.UseSetting("Answer:PromptsPath", Path.Combine(ServerFixture.RepoRoot, "prompts"));
            builder.UseSetting("Embedding:Endpoint", "");
            builder.UseSetting("Embedding:Model", "");
            builder.UseSetting("Llm:Endpoint", "");
            builder.UseSetting("Llm:Model", "");
            builder.UseSetting("Server:SeedOnStart", "false");
            builder.UseSetting("Auth:AllowAnonymousWrites", "true");
            builder.UseSetting("Server:TrustedProxies:0", "127.0.0.1");
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        Origin = $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        Port = uri.Port;
        return Task.CompletedTask;
    }

    public HttpClient CreateClient() => new() { BaseAddress = new Uri(Origin + "/") };

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
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
}
