using Marten;
using Npgsql;

namespace ProductionTests.RequestsApi.ProductionTests.Waiting;

/// <summary>
/// One PostgreSQL connection per API instance that LISTENs on <see cref="Channel"/>. The outcome
/// consumer NOTIFYs in the transaction that appends the outcome, so every instance (not only the one
/// that consumed the message) learns of it at commit and wakes its waiters.
/// </summary>
public sealed class OutcomeListener(IDocumentStore store, OutcomeWaiters waiters, ILogger<OutcomeListener> logger) : BackgroundService
{
    public const string Channel = "production_tests_outcomes";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => waiters.Notify(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                waiters.NotifyAll();
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Lost the outcome notification connection; reconnecting");
                waiters.NotifyAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }
}
