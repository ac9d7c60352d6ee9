using Marten;
using Npgsql;
using ProductionTests.RequestsApi.ProductionTests.Waiting;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// One PostgreSQL connection per API instance that LISTENs for what other processes commit:
/// outcomes (<see cref="OutcomeChannel"/>: the outcome consumer NOTIFYs in the transaction that appends
/// the outcome, so every instance, not only the one that consumed the message, wakes its waiters at
/// commit) and reference data changes (<see cref="ReferenceDataCache.Channel"/>: the cache is emptied).
/// Whatever may have been missed while reconnecting is treated as having happened.
/// </summary>
public sealed class NotificationListener(IDocumentStore store, OutcomeWaiters waiters, ReferenceDataCache referenceData, ILogger<NotificationListener> logger) : BackgroundService
{
    public const string OutcomeChannel = "production_tests_outcomes";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == OutcomeChannel) waiters.Notify(e.Payload);
                    else referenceData.Clear();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {OutcomeChannel}; LISTEN {ReferenceDataCache.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                MissedSomething();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Lost the notification connection; reconnecting");
                MissedSomething();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    private void MissedSomething()
    {
        waiters.NotifyAll();
        referenceData.Clear();
    }
}
