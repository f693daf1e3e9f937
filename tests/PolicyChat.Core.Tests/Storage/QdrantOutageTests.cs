using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Testing.Qdrant;
using Qdrant.Client.Grpc;
using static PolicyChat.Core.Tests.Storage.QdrantIndexStoreTests;

namespace PolicyChat.Core.Tests.Storage;

/// <summary>Real outages over sockets: fake Qdrant servers on Kestrel loopback ports that are stopped and started again.</summary>
public sealed class QdrantOutageTests
{
    private const string Collection = "outage";

    private static QdrantIndexStore NewStore(string url, int retries = 1, int retryDelayMs = 0) => new(new QdrantOptions
    {
        Url = url, Collection = Collection, RetryBaseDelay = TimeSpan.FromMilliseconds(retryDelayMs), Retries = retries, TimeoutSeconds = 5, BatchSize = 2, ReadyTimeoutSeconds = 2,
    });

    /// <summary>
    /// The server is killed at each write of a replacement in turn (after the first chunk batch, after the last, at the
    /// registry commit, at the clean-up delete). After a restart a fresh store serves one whole version, never a mix, and
    /// until the commit that version is the old one.
    /// </summary>
    [Fact]
    public async Task UpsertDocumentAsync_ServerKilledAtEachWriteOfAReplacement_OldVersionStillServedUntilTheCommit()
    {
        // Writes of a 5-chunk replacement with BatchSize 2: Upsert×3 (chunks), Upsert (registry commit), Delete (old version).
        for (var kill = 0; kill < 5; kill++)
        {
            await using var server = await FakeQdrant.StartAsync(kestrel: true);
            await using (var before = NewStore(server.Url))
            {
                await before.UpsertDocumentAsync(Doc("a", "v1", "old", 5));
            }
            var writes = 0;
            var killAt = kill;
            bool IsWrite(Google.Protobuf.IMessage m) => writes++ == killAt;
            foreach (var method in new[] { "Upsert", "Delete" })
            {
                server.AddFault(new FakeQdrantFault { Method = method, When = IsWrite, Then = _ => server.Kill(), Detail = "killed" });
            }
            await using (var writer = NewStore(server.Url, retries: 0))
            {
                var replace = writer.UpsertDocumentAsync(Doc("a", "v2", "new", 5));
                if (kill < 4)
                {
                    await Assert.ThrowsAsync<QdrantException>(() => replace);
                }
                else
                {
                    await replace; // a failed clean-up after the commit is logged, not thrown
                }
            }
            Assert.False(server.IsRunning);

            await server.RestartAsync();
            server.ClearFaults();
            await using var reader = NewStore(server.Url);
            var hits = await reader.SearchAsync(Words("shared"));

            Assert.Equal([0, 1, 2, 3, 4], hits.Select(h => h.Ordinal).Order());
            var prefixes = hits.Select(h => h.Text.Split(' ')[0]).Distinct().ToList();
            Assert.Equal(kill < 4 ? ["old"] : ["new"], prefixes); // the 5th write is the clean-up after the commit
            Assert.Equal(kill < 4 ? "v1" : "v2", (await reader.GetDocumentAsync("a"))!.ContentHash);
        }
    }

    [Fact]
    public async Task Calls_FirstPeerStopped_FailOverToTheNextPeerOfTheCluster()
    {
        var cluster = new FakeQdrantEngine(); // peers of one cluster see the same data
        await using var peer1 = await FakeQdrant.StartAsync(kestrel: true, cluster);
        await using var peer2 = await FakeQdrant.StartAsync(kestrel: true, cluster);
        await using var store = NewStore($"{peer1.Url},{peer2.Url}", retries: 3, retryDelayMs: 300);
        await store.UpsertDocumentAsync(Doc("a", "v1", "alpha", 3));
        Assert.Contains(peer1.Calls, c => c.Method == "Upsert");
        Assert.Empty(peer2.Calls);

        await peer1.StopAsync();
        var hits = await store.SearchAsync(Words("alpha"));
        await store.UpsertDocumentAsync(Doc("b", "v1", "beta", 2));

        Assert.Equal(3, hits.Count);
        Assert.Contains(peer2.Calls, c => c.Method == "QueryBatch");
        Assert.Equal(2, (await store.GetStatsAsync()).Documents);

        // Peer 1 comes back and peer 2 goes: calls return to peer 1 once the channel reconnects (bounded backoff).
        await peer1.RestartAsync();
        await peer2.StopAsync();
        var queriesOnPeer1 = peer1.Calls.Count(c => c.Method == "QueryBatch");
        Assert.Equal(2, (await store.SearchAsync(Words("shared"))).Select(h => h.DocumentId).Distinct().Count());
        Assert.Equal(queriesOnPeer1 + 1, peer1.Calls.Count(c => c.Method == "QueryBatch"));
    }

    [Fact]
    public async Task InitializeAsync_FirstPeerDown_StartsOnAHealthyPeer()
    {
        var cluster = new FakeQdrantEngine();
        await using var down = await FakeQdrant.StartAsync(kestrel: true, cluster);
        await using var up = await FakeQdrant.StartAsync(kestrel: true, cluster);
        await down.StopAsync();
        await using var store = NewStore($"{down.Url},{up.Url}", retries: 0);

        await store.InitializeAsync();

        Assert.Contains(up.Calls, c => c.Method == "HealthCheck");
        Assert.True(cluster.HasCollection(Collection));
    }

    [Fact]
    public async Task Calls_EveryPeerStopped_ThrowUnavailableNamingTheUrl()
    {
        await using var server = await FakeQdrant.StartAsync(kestrel: true);
        await using var store = NewStore(server.Url);
        await store.InitializeAsync();
        await server.StopAsync();

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.SearchAsync(Words("alpha")));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("Qdrant:Url", ex.Message, StringComparison.Ordinal);
    }

    // Deadlines over real sockets: on TestServer a request aborted by the client's deadline can surface as Internal.
    [Fact]
    public async Task Calls_SlowAnswerOnce_TimeOutPerAttemptAndRetry()
    {
        await using var server = await FakeQdrant.StartAsync(kestrel: true);
        await using var store = new QdrantIndexStore(new QdrantOptions { Url = server.Url, Collection = Collection, TimeoutSeconds = 1, RetryBaseDelay = TimeSpan.Zero });
        await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));
        var slow = server.AddFault(new FakeQdrantFault { Method = "Count", Status = StatusCode.OK, Delay = TimeSpan.FromSeconds(5) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var stats = await store.GetStatsAsync();

        Assert.Equal(1, slow.Fired);
        Assert.Equal(1, stats.Documents);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Calls_SlowServerWithoutRetries_ThrowDeadlineExceededNamingTheTimeout()
    {
        await using var server = await FakeQdrant.StartAsync(kestrel: true);
        await using var store = new QdrantIndexStore(new QdrantOptions { Url = server.Url, Collection = Collection, TimeoutSeconds = 1, Retries = 0 });
        await store.InitializeAsync();
        server.AddFault(new FakeQdrantFault { Method = "Count", Status = StatusCode.OK, Delay = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<QdrantException>(() => store.GetStatsAsync());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("Qdrant:TimeoutSeconds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_HttpsWithCertificateThumbprint_TrustOnlyThatSelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=qdrant", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using var server = await FakeQdrant.StartAsync(certificate: certificate);
        Assert.StartsWith("https://", server.Url, StringComparison.Ordinal);
        var thumbprint = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        var trusted = new QdrantOptions { Url = server.Url, Collection = Collection, CertificateThumbprint = thumbprint, ReadyTimeoutSeconds = 1 };
        var other = new QdrantOptions { Url = server.Url, Collection = Collection, CertificateThumbprint = new string('0', 64), ReadyTimeoutSeconds = 1, Retries = 0 };

        await using (var store = new QdrantIndexStore(trusted))
        {
            await store.UpsertDocumentAsync(Doc("a", "h", "alpha", 1));
            Assert.Single(await store.SearchAsync(Words("alpha")));
        }
        var callsSoFar = server.Calls.Count;
        await using var untrusting = new QdrantIndexStore(other);
        var ex = await Assert.ThrowsAsync<QdrantException>(() => untrusting.InitializeAsync());

        Assert.Contains("health check", ex.Message, StringComparison.Ordinal);
        Assert.Equal(callsSoFar, server.Calls.Count); // the TLS handshake failed: no call reached the server
    }
}
