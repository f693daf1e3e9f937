using System.CommandLine;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Cli.Commands;

/// <summary>`policychat reindex --to qdrant`: copies the embedded SQLite index into the Qdrant collection.</summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var to = new Option<string>("--to") { Description = "Target store: qdrant.", Required = true };
        var url = new Option<string?>("--qdrant-url") { Description = "Qdrant gRPC URL (default Qdrant:Url, http://localhost:6334)." };
        var collection = new Option<string?>("--collection") { Description = "Qdrant collection (default Qdrant:Collection, policychat)." };
        var command = new Command("reindex", "Copy the embedded index (documents, re-analyzed chunks, vectors) into Qdrant.") { db, to, url, collection };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!string.Equals(parse.GetValue(to), "qdrant", StringComparison.OrdinalIgnoreCase))
            {
                await Console.Error.WriteLineAsync("--to must be 'qdrant'.");
                return 2;
            }
            var overrides = new Dictionary<string, string?> { ["Storage:Provider"] = StorageOptions.Qdrant };
            if (parse.GetValue(url) is { } u)
            {
                overrides["Qdrant:Url"] = u;
            }
            if (parse.GetValue(collection) is { } c)
            {
                overrides["Qdrant:Collection"] = c;
            }
            await using var target = CliServices.Create(null, overrides);
            await using var source = new SqliteIndexStore(new SqliteIndexOptions { Path = parse.GetValue(db) ?? new SqliteIndexOptions().Path });
            if (!File.Exists(source.DatabasePath))
            {
                await Console.Error.WriteLineAsync($"No embedded index at {source.DatabasePath}. Run 'policychat ingest' first or pass --db.");
                return 2;
            }
            var copier = new IndexCopier(target.Indexer, target.Embedder.Embedder);
            var summary = await copier.CopyAsync(source, target.Store,
                new SynchronousProgress<IngestionResult>(r => Console.WriteLine($"{r.Status.ToString().ToLowerInvariant(),-9} {r.Title} ({r.Chunks} chunks)")),
                cancellationToken);
            Console.WriteLine($"copied {summary.Added + summary.Updated}, unchanged {summary.Unchanged} — {summary.ChunksWritten} chunks in {summary.Elapsed.TotalSeconds:0.00} s");
            return 0;
        });
        return command;
    }
}
