using Marten;
using Npgsql;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// One PostgreSQL connection per API instance that LISTENs for what other processes commit, on the
/// channels of the registered <see cref="INotificationHandler"/>s, and hands each notification to its
/// channel's handler. Whatever may have been missed while reconnecting is treated as having happened.
/// </summary>
public sealed class NotificationListener(IDocumentStore store, IEnumerable<INotificationHandler> handlers, ILogger<NotificationListener> logger) : BackgroundService
{
    private readonly Dictionary<string, INotificationHandler> _byChannel = handlers.ToDictionary(h => h.Channel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_byChannel.Count == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (_byChannel.TryGetValue(e.Channel, out var handler)) handler.Notified(e.Payload);
                };
                await using (var listen = new NpgsqlCommand(string.Join("; ", _byChannel.Keys.Select(c => $"LISTEN {c}")), connection))
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
        foreach (var handler in _byChannel.Values) handler.MissedSome();
    }
}
