using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyChat.Core.Hosting;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Storage.Qdrant;
using PolicyChat.Core.Storage.Sqlite;

namespace PolicyChat.Cli.Commands;

/// <summary>
/// `policychat reindex --to qdrant`: copies an index into a Qdrant collection: the embedded SQLite index (default), or with
/// <c>--from qdrant --from-collection OLD</c> an existing Qdrant collection, e.g. into a new one with other shard settings.
/// </summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var from = new Option<string>("--from") { Description = "Source store: sqlite (the embedded index, default) or qdrant.", DefaultValueFactory = _ => "sqlite" };
        var fromCollection = new Option<string?>("--from-collection") { Description = "Source Qdrant collection when --from qdrant." };
        var to = new Option<string>("--to") { Description = "Target store: qdrant.", Required = true };
        var url = new Option<string?>("--qdrant-url") { Description = "Qdrant gRPC URL(s) (default Qdrant:Url, http://localhost:6334)." };
        var collection = new Option<string?>("--collection") { Description = "Target Qdrant collection (default Qdrant:Collection, policychat)." };
        var shards = new Option<int?>("--shards") { Description = "Shards of a new target collection (default Qdrant:Shards)." };
        var replicas = new Option<int?>("--replicas") { Description = "Replicas of a new target collection (default Qdrant:Replicas)." };
        var command = new Command("reindex", "Copy an index (documents, re-analyzed chunks, vectors) into a Qdrant collection.")
        {
            db, from, fromCollection, to, url, collection, shards, replicas,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(from)?.ToLowerInvariant();
            if (!string.Equals(parse.GetValue(to), "qdrant", StringComparison.OrdinalIgnoreCase) || source is not ("sqlite" or "qdrant"))
            {
                await Console.Error.WriteLineAsync("--to must be 'qdrant' and --from 'sqlite' or 'qdrant'.");
                return 2;
            }
            if (source == "qdrant" && (parse.GetValue(fromCollection) is not { } old || old == parse.GetValue(collection)))
            {
                await Console.Error.WriteLineAsync("--from qdrant needs --from-collection naming another collection than --collection.");
                return 2;
            }
            var overrides = new Dictionary<string, string?> { ["Storage:Provider"] = StorageOptions.Qdrant };
            Set("Qdrant:Url", parse.GetValue(url));
            Set("Qdrant:Collection", parse.GetValue(collection));
            Set("Qdrant:Shards", parse.GetValue(shards)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Set("Qdrant:Replicas", parse.GetValue(replicas)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await using var target = CliServices.Create(null, overrides);
            await using var origin = source == "qdrant"
                ? (IIndexStore)new QdrantIndexStore(CliServices.QdrantOptions(overrides, parse.GetValue(fromCollection)!), NullLogger<QdrantIndexStore>.Instance)
                : new SqliteIndexStore(new SqliteIndexOptions { Path = parse.GetValue(db) ?? new SqliteIndexOptions().Path });
            if (origin is SqliteIndexStore sqlite && !File.Exists(sqlite.DatabasePath))
            {
                await Console.Error.WriteLineAsync($"No embedded index at {sqlite.DatabasePath}. Run 'policychat ingest' first or pass --db.");
                return 2;
            }
            var copier = new IndexCopier(target.Indexer, target.Embedder.Embedder);
            var summary = await copier.CopyAsync(origin, target.Store,
                new SynchronousProgress<IngestionResult>(r => Console.WriteLine($"{r.Status.ToString().ToLowerInvariant(),-9} {r.Title} ({r.Chunks} chunks)")),
                cancellationToken);
            Console.WriteLine($"copied {summary.Added + summary.Updated}, unchanged {summary.Unchanged} — {summary.ChunksWritten} chunks in {summary.Elapsed.TotalSeconds:0.00} s");
            return 0;

            void Set(string key, string? value)
            {
                if (value is not null)
                {
                    overrides[key] = value;
                }
            }
        });
        return command;
    }
}
