using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Core.Tests.Cli;

/// <summary>
/// `policychat ingest` killed part-way leaves a consistent index, and the next run finishes the job: each document
/// is written in one transaction, so a killed run leaves every document either fully indexed or absent.
/// </summary>
public sealed class CliKillConsistencyTests : IDisposable
{
    private const int DocumentCount = 300;
    private const int KillAfterDocuments = 25;

    private static readonly string[] s_words =
    [
        "policy", "network", "security", "open", "source", "model", "data", "privacy", "cloud", "chip", "export", "standard",
        "regulation", "platform", "research", "innovation", "market", "governance", "infrastructure", "talent",
    ];

    private readonly string _root = TestPaths.NewTempDirectory();

    private string Docs => Path.Combine(_root, "docs");

    private string Db => Path.Combine(_root, "index.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }

    [Fact]
    public async Task Ingest_KilledPartWayThenRunAgain_LeavesNoPartialDocumentsAndAddsOnlyTheRest()
    {
        GenerateDocuments();

        var killedAt = await StartAndKillAsync();
        var survivors = Query<string>("SELECT id FROM documents ORDER BY id;");
        await AssertConsistentAsync();
        Assert.True(survivors.Count >= KillAfterDocuments, $"only {survivors.Count} documents before the kill");
        Assert.True(survivors.Count < DocumentCount, $"the first run finished before it was killed ({killedAt})");

        var rerun = await PolicyChatCli.RunAsync(_root, "ingest", Docs, "--db", Db, "--json");

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var results = rerun.Json["results"]!.AsArray().Select(r => r!).ToList();
        var unchanged = results.Where(r => (string?)r["status"] == "unchanged").Select(r => (string)r["document_id"]!).ToHashSet();
        var added = results.Where(r => (string?)r["status"] == "added").Select(r => (string)r["document_id"]!).ToHashSet();
        Assert.Equal(survivors.ToHashSet(), unchanged);
        Assert.Equal(DocumentCount - survivors.Count, added.Count);
        Assert.Empty(added.Intersect(unchanged));
        Assert.Equal(0, (int)rerun.Json["failed"]! + (int)rerun.Json["updated"]!);

        await AssertConsistentAsync();
        Assert.Equal(DocumentCount, Scalar("SELECT count(*) FROM documents;"));
        // Chunk counts reported for the added documents are what the index holds.
        foreach (var r in results.Where(r => (string?)r["status"] == "added"))
        {
            Assert.Equal((long)(int)r["chunks"]!, Scalar("SELECT count(*) FROM chunks c JOIN documents d ON d.rowid = c.doc_rowid WHERE d.id = '" + (string)r["document_id"]! + "';"));
        }
    }

    private void GenerateDocuments()
    {
        Directory.CreateDirectory(Docs);
        var random = new Random(20251122);
        for (var i = 0; i < DocumentCount; i++)
        {
            var text = new StringBuilder($"Generated policy note {i:000}\n\n");
            for (var s = 0; s < 40; s++)
            {
                text.Append(CultureInfo.InvariantCulture, $"Note {i} item {s} says ");
                for (var w = 0; w < 12; w++)
                {
                    text.Append(s_words[random.Next(s_words.Length)]).Append(' ');
                }
                text.Append(s % 10 == 9 ? ".\n\n" : ". ");
            }
            File.WriteAllText(Path.Combine(Docs, $"note-{i:000}.txt"), text.ToString());
        }
    }

    private async Task<string> StartAndKillAsync()
    {
        var info = PolicyChatCli.StartInfo(_root, "ingest", Docs, "--db", Db, "--json");
        info.Environment["Ingestion__MaxDegreeOfParallelism"] = "2";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        var written = 0L;
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            written = File.Exists(Db) ? TryCount() : 0;
            if (written >= KillAfterDocuments)
            {
                break;
            }
            await Task.Delay(20);
        }
        var state = process.HasExited ? $"exited {process.ExitCode} after {written} documents: {await stderr}" : $"killed after {written} documents";
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        await stdout;
        return state;
    }

    private long TryCount()
    {
        try
        {
            return Scalar("SELECT count(*) FROM documents;");
        }
        catch (SqliteException)
        {
            return 0; // schema not created yet, or busy
        }
    }

    private async Task AssertConsistentAsync()
    {
        Assert.Equal(0, Scalar("SELECT count(*) FROM (SELECT id FROM documents GROUP BY id HAVING count(*) > 1);"));
        // Every document has its chunks, numbered 0..n-1 without gaps.
        Assert.Equal(0, Scalar("SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.doc_rowid = d.rowid);"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM (SELECT doc_rowid FROM chunks GROUP BY doc_rowid HAVING min(ordinal) <> 0 OR max(ordinal) + 1 <> count(*));"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.rowid = c.doc_rowid);"));
        // Every chunk carries its analyzed columns, from which the in-memory indexes are built.
        Assert.Equal(0, Scalar("SELECT count(*) FROM chunks WHERE terms = '' OR gram_source = '';"));
        // And opening the index finds chunks of documents that exist.
        await using var store = new PolicyChat.Core.Storage.Sqlite.SqliteIndexStore(new PolicyChat.Core.Storage.Sqlite.SqliteIndexOptions { Path = Db });
        var hits = await store.SearchAsync(new PolicyChat.Core.Storage.IndexQuery(PolicyChat.Core.Text.TextAnalyzer.Default.Terms("policy"), [], null, 5));
        Assert.NotEmpty(hits);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 5 }.ToString());
        connection.Open();
        return connection;
    }

    private long Scalar(string sql)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(reader.GetFieldValue<T>(0));
        }
        return list;
    }
}
