namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>
/// Deletes finished deliveries (delivered or given up) and their attempts once they are older than
/// <see cref="WebhookOptions.RetentionDays"/>, every <see cref="WebhookOptions.PurgeIntervalMinutes"/>: the tables are
/// operational data (the events they carried stay in the store), and without this they grow with every event.
/// Pending deliveries stay whatever their age. Every instance may run it: rows are taken with SKIP LOCKED.
/// </summary>
public sealed class WebhookDeliveryPurge(WebhookDeliveries deliveries, TimeProvider clock, Microsoft.Extensions.Options.IOptions<WebhookOptions> options,
    ILogger<WebhookDeliveryPurge> logger) : BackgroundService
{
    private const int Batch = 5_000;

    /// <summary>Purges in batches until none is left; returns how many deliveries went.</summary>
    public async Task<int> PurgeFinishedAsync(CancellationToken ct)
    {
        await deliveries.EnsureSchemaAsync(ct);
        var before = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        var total = 0;
        int purged;
        do
        {
            purged = await deliveries.PurgeFinishedAsync(before, Batch, ct);
            total += purged;
        } while (purged == Batch);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes);
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await PurgeFinishedAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Purged {Count} finished webhook deliveries older than {Days} days", purged, options.Value.RetentionDays);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not purge finished webhook deliveries; trying again in {Interval}", interval);
            }
        }
    }
}
