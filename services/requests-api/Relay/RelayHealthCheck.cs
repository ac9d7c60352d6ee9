using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.RequestsApi.Relay;

/// <summary>
/// Degraded (not unready: every instance reads the same lag, and taking them all out of rotation would refuse
/// creates the database still accepts) when a committed event the relay publishes (any stored version) has waited longer
/// than <c>Relay:MaxLagSeconds</c> (default 30) to be published. Read from the store, so every API
/// instance reports the same, whichever one runs the relay.
/// </summary>
public sealed class RelayHealthCheck(IDocumentStore store, IConfiguration configuration) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var maxLag = configuration.GetValue("Relay:MaxLagSeconds", 30.0);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(timeout.Token);
            await using var command = new NpgsqlCommand($"""
                SELECT EXTRACT(EPOCH FROM now() - MIN(e.timestamp))::float8
                FROM {EventStoreSetup.Schema}.mt_events e
                WHERE e.type = ANY(@types)
                  AND e.seq_id > COALESCE((SELECT last_seq_id FROM {EventStoreSetup.Schema}.mt_event_progression WHERE name = @shard), 0)
                """, connection);
            command.Parameters.AddWithValue("shard", RelayStartingPoint.ShardName);
            command.Parameters.AddWithValue("types", RequestEvents.Relayed.SelectMany(e => e.StoredNames).ToArray());
            var oldest = await command.ExecuteScalarAsync(timeout.Token);
            return oldest is double seconds && seconds > maxLag
                ? HealthCheckResult.Degraded($"The relay is behind: a request has waited {seconds:0} s to be published (limit {maxLag:0} s).")
                : HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Degraded("Could not read the relay's progress.", e);
        }
    }
}
