using System.CommandLine;
using System.Text.Json;
using PolicyChat.Core.Ingestion;
using Spectre.Console;

namespace PolicyChat.Cli.Commands;

internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or folders to ingest (folders are walked recursively).", Arity = ArgumentArity.OneOrMore };
        var db = CommonOptions.Db();
        var prune = new Option<bool>("--prune") { Description = "Remove documents whose files no longer exist." };
        var followLinks = new Option<bool>("--follow-links") { Description = "Follow symbolic links inside the folders, also out of them (each real file is read once)." };
        var json = CommonOptions.Json();
        var command = new Command("ingest", "Read, analyze and index documents; unchanged files are skipped.") { paths, db, prune, followLinks, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (parse.GetValue(prune))
            {
                overrides["Ingestion:Prune"] = "true";
            }
            if (parse.GetValue(followLinks))
            {
                overrides["Ingestion:FollowLinks"] = "true";
            }
            await using var services = CliServices.Create(parse.GetValue(db), overrides.Count > 0 ? overrides : null);
            var pipeline = services.Pipeline;
            var inputs = parse.GetValue(paths) ?? [];
            var asJson = parse.GetValue(json);
            IngestionSummary summary;
            if (!asJson && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                summary = await RunWithProgressBarAsync(pipeline, inputs, parse.GetValue(followLinks), cancellationToken);
            }
            else
            {
                var progress = asJson ? null : new SynchronousProgress<IngestionResult>(r => Console.WriteLine(FormatLine(r)));
                summary = await pipeline.IngestAsync(inputs, progress, cancellationToken);
            }

            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(CliJson.ToJson(summary), CliJsonContext.Readable.IngestJson));
            }
            else
            {
                Console.WriteLine(
                    $"added {summary.Added}, updated {summary.Updated}, unchanged {summary.Unchanged}, skipped {summary.Skipped}, failed {summary.Failed}" +
                    (summary.Removed > 0 ? $", removed {summary.Removed}" : "") +
                    $" — {summary.ChunksWritten} chunks in {summary.Elapsed.TotalSeconds:0.00} s");
            }
            return summary.Failed > 0 ? 1 : 0;
        });
        return command;
    }

    private static async Task<IngestionSummary> RunWithProgressBarAsync(IngestionPipeline pipeline, string[] inputs, bool followLinks,
        CancellationToken cancellationToken)
    {
        var walked = FileWalker.Walk(inputs, followLinks);
        var total = walked.Files.Count + walked.Skipped.Count;
        IngestionSummary? summary = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("Ingesting", maxValue: Math.Max(1, total));
                var progress = new SynchronousProgress<IngestionResult>(r =>
                {
                    if (r.Status != IngestionStatus.Removed)
                    {
                        task.Increment(1);
                    }
                    if (r.Status is IngestionStatus.Failed or IngestionStatus.Skipped)
                    {
                        AnsiConsole.MarkupLine(Markup.Escape(FormatLine(r)));
                    }
                });
                summary = await pipeline.IngestAsync(inputs, progress, cancellationToken);
            });
        return summary!;
    }

    /// <summary>One line per result; the path is escaped (newlines, tabs, bidi controls) so a file name cannot forge lines.</summary>
    internal static string FormatLine(IngestionResult r) =>
        $"{r.Status.ToString().ToLowerInvariant(),-9} {DisplayNames.Escape(r.Path)}" +
        (r.Chunks > 0 ? $" ({r.Chunks} chunks)" : "") +
        (r.Reason is null ? "" : $": {r.Reason}") +
        (r.Detail is null ? "" : $" [{r.Detail}]");
}

/// <summary>IProgress that runs the handler on the reporting thread (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly Lock _gate = new();

    public void Report(T value)
    {
        lock (_gate)
        {
            handler(value);
        }
    }
}
