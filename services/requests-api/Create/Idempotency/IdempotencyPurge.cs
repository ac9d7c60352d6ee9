using Marten;

namespace ProductionTests.RequestsApi.Create.Idempotency;

/// <summary>Deletes expired idempotency records in the background (configuration <c>Idempotency:PurgeIntervalMinutes</c>, default 10).</summary>
public sealed class IdempotencyPurge(IDocumentStore store, TimeProvider clock, IConfiguration configuration, ILogger<IdempotencyPurge> logger) : BackgroundService
{
    public async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var expired = await session.Query<IdempotencyRecord>().CountAsync(r => r.ExpiresAt <= now, ct);
        if (expired == 0) return 0;
        session.DeleteWhere<IdempotencyRecord>(r => r.ExpiresAt <= now);
        await session.SaveChangesAsync(ct);
        return expired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(configuration.GetValue("Idempotency:PurgeIntervalMinutes", 10.0));
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await PurgeExpiredAsync(stoppingToken);
                if (purged > 0) logger.LogInformation("Purged {Count} expired idempotency keys", purged);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not purge expired idempotency keys; trying again in {Interval}", interval);
            }
        }
    }
}
