namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>
/// The deliveries' housekeeping, every <see cref="WebhookOptions.PurgeIntervalMinutes"/>. First the age rule: a delivery still
/// pending <see cref="WebhookOptions.MaxAge"/> after it was queued (or redelivered) is given up, attempted or not, so a backlog
/// behind a receiver that stays paused does not wait for ever (it can be redelivered). Then the purge: finished deliveries
/// (delivered or given up) and their attempts are deleted once older than <see cref="WebhookOptions.RetentionDays"/>: the tables
/// are operational data (the events they carried stay in the store), and without this they grow with every event. Every
/// instance may run it: the expiry takes only unclaimed rows, and the purge takes rows with SKIP LOCKED.
/// </summary>
public sealed class WebhookDeliveryPurge(WebhookDeliveries deliveries, TimeProvider clock, Microsoft.Extensions.Options.IOptions<WebhookOptions> options,
    ILogger<WebhookDeliveryPurge> logger) : BackgroundService
{
    private const int Batch = 5_000;

    /// <summary>Gives up the pending deliveries past the maximum age; returns how many.</summary>
    public async Task<int> ExpirePendingAsync(CancellationToken ct)
    {
        await deliveries.EnsureSchemaAsync(ct);
        var hours = options.Value.MaxAgeHours.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        return await deliveries.ExpireAsync(clock.GetUtcNow() - options.Value.MaxAge,
            $"expired: not delivered within {hours} h of being queued or redelivered (the receiver kept failing); redeliver to try again", ct);
    }

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
                var expired = await ExpirePendingAsync(stoppingToken);
                if (expired > 0) logger.LogInformation("Gave up {Count} webhook deliveries still pending after {Hours} h", expired, options.Value.MaxAgeHours);
                var purged = await PurgeFinishedAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Purged {Count} finished webhook deliveries older than {Days} days", purged, options.Value.RetentionDays);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not expire or purge webhook deliveries; trying again in {Interval}", interval);
            }
        }
    }
}
