using Marten;
using Marten.Exceptions;
using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Relay;

/// <summary>
/// Where the relay starts: at the present the first time the service runs against a store, so adding
/// it to a store with history does not republish that history; from its recorded progress ever after,
/// so nothing committed while it was down (a crash between commit and publish) is skipped.
/// Marten's SubscribeFromPresent() is not used: it jumps to the present on every start.
/// The first start is remembered in a <see cref="RelayRegistration"/> document, written even when the
/// store is empty. Runs before the async daemon starts (hosted services start in registration order).
/// </summary>
public sealed class RelayStartingPoint(IDocumentStore store, ILogger<RelayStartingPoint> logger) : IHostedService
{
    public const string ShardName = ChallengeRequestedRelay.RelayName + ":All";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var registration = await RegisterAsync(cancellationToken);
            if (registration.StartsAfterSequence > 0) await SetProgressIfNoneAsync(registration.StartsAfterSequence, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or MartenCommandException)
        {
            // The database is down: the daemon cannot run either; this is done again on the next start.
            logger.LogWarning(e, "Could not check the relay's starting point");
        }
    }

    private async Task<RelayRegistration> RegisterAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<RelayRegistration>(RelayRegistration.RelayId, ct) is { } existing) return existing;

        var highest = await HighestSequenceAsync(ct);
        var registration = new RelayRegistration(RelayRegistration.RelayId, highest, DateTimeOffset.UtcNow);
        session.Insert(registration);
        try
        {
            await session.SaveChangesAsync(ct);
            logger.LogInformation("The relay runs for the first time on this store; it starts after sequence {Sequence}", highest);
            return registration;
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // Another instance registered it first.
            await using var again = store.QuerySession();
            return (await again.LoadAsync<RelayRegistration>(RelayRegistration.RelayId, ct))!;
        }
    }

    private async Task<long> HighestSequenceAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT COALESCE(MAX(seq_id), 0) FROM {EventStoreSetup.Schema}.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task SetProgressIfNoneAsync(long sequence, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {EventStoreSetup.Schema}.mt_event_progression (name, last_seq_id, last_updated)
            VALUES (@name, @sequence, now())
            ON CONFLICT (name) DO NOTHING
            """, connection);
        command.Parameters.AddWithValue("name", ShardName);
        command.Parameters.AddWithValue("sequence", sequence);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>When the relay first ran on this store: it publishes only events after that sequence.</summary>
public sealed record RelayRegistration(string Id, long StartsAfterSequence, DateTimeOffset RegisteredAt)
{
    public const string RelayId = ChallengeRequestedRelay.RelayName;
}
