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
        var json = CommonOptions.Json();
        var command = new Command("ingest", "Read, analyze and index documents; unchanged files are skipped.") { paths, db, prune, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = CliServices.Create(parse.GetValue(db),
                parse.GetValue(prune) ? new Dictionary<string, string?> { ["Ingestion:Prune"] = "true" } : null);
            var pipeline = services.Pipeline;
            var inputs = parse.GetValue(paths) ?? [];
            var asJson = parse.GetValue(json);
            IngestionSummary summary;
            if (!asJson && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                summary = await RunWithProgressBarAsync(pipeline, inputs, cancellationToken);
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

    private static async Task<IngestionSummary> RunWithProgressBarAsync(IngestionPipeline pipeline, string[] inputs, CancellationToken cancellationToken)
    {
        var total = IngestionPipeline.ExpandPaths(inputs).Count;
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

    private static string FormatLine(IngestionResult r) =>
        $"{r.Status.ToString().ToLowerInvariant(),-9} {r.Path}" +
        (r.Chunks > 0 ? $" ({r.Chunks} chunks)" : "") +
        (r.Reason is null ? "" : $": {r.Reason}");
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
