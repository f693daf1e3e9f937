using System.Diagnostics;
using PolicyChat.Core.Storage;

namespace PolicyChat.Server.Seeding;

/// <summary>
/// After seeding has finished (or was skipped), builds the store's in-memory search structures in the background, so
/// the first question does not pay for them (about 45 s for 100,000 chunks on two cores; milliseconds for the sample).
/// Questions asked meanwhile are answered; the first of them waits for the same build instead of starting another.
/// /readyz reports <c>index.warm</c>.
/// </summary>
public sealed class IndexWarmUp(IIndexStore store, SeedingStatus seeding, ILogger<IndexWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not IIndexWarmUp warmable)
        {
            return;
        }
        try
        {
            await seeding.Finished.WaitAsync(stoppingToken);
            var clock = Stopwatch.StartNew();
            var chunks = await warmable.WarmUpAsync(stoppingToken);
            logger.LogInformation("Search index loaded into memory in {Seconds:0.0} s ({Chunks} chunks)", clock.Elapsed.TotalSeconds, chunks);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            // Not fatal: the first search tries again and reports its own error.
            logger.LogError(ex, "Loading the search index into memory failed; the first search will retry");
        }
    }
}
