using Microsoft.Extensions.Options;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Ingestion;
using PolicyChat.Core.Storage;

namespace PolicyChat.Server.Seeding;

public enum SeedingState { Pending, Skipped, Running, Completed, Failed }

/// <summary>What the seeder did (reported by /readyz).</summary>
public sealed record SeedingReport(SeedingState State, string? Path = null, int Files = 0, int Done = 0, int Added = 0, int Failed = 0, string? Message = null);

/// <summary>The seeder's progress, shared with the readiness endpoint.</summary>
public sealed class SeedingStatus
{
    private volatile SeedingReport _current = new(SeedingState.Pending);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SeedingReport Current => _current;

    /// <summary>Completes when seeding was skipped, completed or failed.</summary>
    public Task Finished => _finished.Task;

    public void Report(SeedingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _current = report;
        if (report.State is SeedingState.Skipped or SeedingState.Completed or SeedingState.Failed)
        {
            _finished.TrySetResult();
        }
    }
}

/// <summary>
/// On first start, when the index is empty, ingests the seed corpus (<c>Server:SeedCorpusPath</c>, or <c>corpus/</c>
/// found at or above the content root) in the background, logging each document.
/// </summary>
public sealed class CorpusSeeder(
    IIndexStore store,
    IngestionPipeline pipeline,
    IOptions<ServerOptions> options,
    IHostEnvironment environment,
    SeedingStatus status,
    ILogger<CorpusSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await SeedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            status.Report(status.Current with { State = SeedingState.Failed, Message = "stopped before seeding finished" });
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Seeding the index failed");
            status.Report(status.Current with { State = SeedingState.Failed, Message = "seeding failed; see the server log" });
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedOnStart)
        {
            status.Report(new SeedingReport(SeedingState.Skipped, Message: "Server:SeedOnStart is false"));
            return;
        }
        await store.InitializeAsync(cancellationToken);
        var stats = await store.GetStatsAsync(cancellationToken);
        if (stats.Documents > 0)
        {
            status.Report(new SeedingReport(SeedingState.Skipped, Message: $"the index already holds {stats.Documents} documents"));
            return;
        }
        var path = Locate(options.Value.SeedCorpusPath, environment.ContentRootPath);
        if (path is null)
        {
            logger.LogWarning("The index is empty and no seed corpus was found (set {Setting} to a folder of documents)", $"{ServerOptions.SectionName}:SeedCorpusPath");
            status.Report(new SeedingReport(SeedingState.Skipped, Message: "no seed corpus found"));
            return;
        }

        var files = IngestionPipeline.ExpandPaths([path]);
        logger.LogInformation("The index is empty: ingesting {Count} files from {Path}", files.Count, path);
        status.Report(new SeedingReport(SeedingState.Running, path, files.Count));
        int done = 0, added = 0, failed = 0;
        var progress = new InlineProgress(result =>
        {
            var n = Interlocked.Increment(ref done);
            var a = result.Status is IngestionStatus.Added or IngestionStatus.Updated ? Interlocked.Increment(ref added) : Volatile.Read(ref added);
            var f = result.Status == IngestionStatus.Failed ? Interlocked.Increment(ref failed) : Volatile.Read(ref failed);
            status.Report(new SeedingReport(SeedingState.Running, path, files.Count, n, a, f));
            logger.LogInformation("Seeding [{Done}/{Total}] {Status} {File} ({Chunks} chunks){Reason}", n, files.Count, result.Status,
                System.IO.Path.GetFileName(result.Path), result.Chunks, result.Reason is null ? "" : ": " + result.Reason);
        });
        var summary = await pipeline.IngestAsync([path], progress, cancellationToken);
        logger.LogInformation("Seeding finished in {Seconds:0.0} s: {Added} added, {Skipped} skipped, {Failed} failed, {Chunks} chunks",
            summary.Elapsed.TotalSeconds, summary.Added, summary.Skipped, summary.Failed, summary.ChunksWritten);
        status.Report(new SeedingReport(SeedingState.Completed, path, files.Count, summary.Results.Count, summary.Added + summary.Updated, summary.Failed));
    }

    /// <summary>The configured folder (relative to the content root), else <c>corpus/</c> at or above the content root.</summary>
    public static string? Locate(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = System.IO.Path.GetFullPath(configured, contentRoot);
            return Directory.Exists(full) ? full : null;
        }
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "corpus");
            if (Directory.Exists(candidate)
                && Directory.EnumerateFiles(candidate).Any(f => DocumentLoader.SupportedExtensions.Contains(System.IO.Path.GetExtension(f))))
            {
                return candidate;
            }
        }
        return null;
    }

    private sealed class InlineProgress(Action<IngestionResult> report) : IProgress<IngestionResult>
    {
        public void Report(IngestionResult value) => report(value);
    }
}
