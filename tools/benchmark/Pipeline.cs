using System.Diagnostics;
using Npgsql;
using static ProductionTests.Tools.EventStoreNames;

namespace ProductionTests.Benchmark;

/// <summary>
/// The outcome backlog after a load, per request id: how many requests had none when it stopped, how long
/// they took, and how many second outcomes (or second requests) for one id were seen meanwhile.
/// </summary>
public sealed record DrainFigures(long BacklogAtStop, bool Drained, double Seconds, int Duplicates = 0);

/// <summary>
/// The pipeline as the event store shows it, read directly from PostgreSQL. A phase remembers the
/// highest sequence before it starts (<see cref="HighestSequenceAsync"/>) and looks only at later events,
/// which keeps the queries cheap on a store of millions of events.
/// </summary>
public sealed class Pipeline(string connectionString, SuiteLog log) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _database = NpgsqlDataSource.Create(connectionString);

    public async Task<long> HighestSequenceAsync(CancellationToken ct)
    {
        await using var command = _database.CreateCommand($"SELECT COALESCE(MAX(seq_id), 0) FROM {Schema}.mt_events");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task<long> EventCountAsync(CancellationToken ct)
    {
        await using var command = _database.CreateCommand($"SELECT count(*) FROM {Schema}.mt_events");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>Request streams (<c>req_...</c>): what rebuild-views goes through.</summary>
    public async Task<long> ViewCountAsync(CancellationToken ct)
    {
        await using var command = _database.CreateCommand($"SELECT count(*) FROM {Schema}.mt_doc_challengerequestview");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    public async Task<long> RequestStreamCountAsync(CancellationToken ct)
    {
        await using var command = _database.CreateCommand($"SELECT count(*) FROM {Schema}.mt_streams WHERE id LIKE 'req\\_%'");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>
    /// Requests created after <paramref name="since"/> without an outcome, per request id (<see cref="OutcomeBacklog"/>):
    /// each poll reads only the events after the last settled one: reading every event of the phase on every
    /// poll loaded PostgreSQL enough to slow the very drain it measured.
    /// </summary>
    private sealed class Backlog(NpgsqlDataSource database, long since)
    {
        private readonly OutcomeBacklog _backlog = new(since);

        public int Duplicates => _backlog.Duplicates;

        public async Task<long> CountAsync(CancellationToken ct)
        {
            await using var command = database.CreateCommand($"""
                SELECT COALESCE((SELECT last_seq_id FROM {Schema}.mt_event_progression WHERE name = 'HighWaterMark'), 0), seq_id, stream_id, {RequestedTypes}
                FROM {Schema}.mt_events WHERE seq_id > $1 AND ({RequestedTypes} OR {OutcomeTypes}) ORDER BY seq_id
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _backlog.SettledUpTo });
            var events = new List<PipelineEvent>();
            long? high = null;
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    high ??= reader.GetInt64(0);
                    events.Add(new PipelineEvent(reader.GetInt64(1), reader.GetString(2), reader.GetBoolean(3)));
                }
            }
            high ??= await HighWaterMarkAsync(ct);
            return _backlog.Apply(events, high.Value);
        }

        private async Task<long> HighWaterMarkAsync(CancellationToken ct)
        {
            await using var command = database.CreateCommand(
                $"SELECT COALESCE((SELECT last_seq_id FROM {Schema}.mt_event_progression WHERE name = 'HighWaterMark'), 0)");
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
        }
    }

    /// <summary>Each request's first outcome after <paramref name="since"/>: its commit time (mt_events.timestamp).</summary>
    public async Task<Dictionary<string, DateTimeOffset>> OutcomeTimesAsync(long since, CancellationToken ct)
    {
        await using var command = _database.CreateCommand(
            $"SELECT stream_id, min(timestamp) FROM {Schema}.mt_events WHERE seq_id > $1 AND {OutcomeTypes} GROUP BY stream_id");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = since });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var times = new Dictionary<string, DateTimeOffset>();
        while (await reader.ReadAsync(ct)) times[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return times;
    }

    /// <summary>
    /// Polls every 50 ms until every request created after <paramref name="since"/> has its outcome; gives up
    /// once the backlog did not shrink for <paramref name="patience"/>. The time is counted from the call.
    /// </summary>
    public async Task<DrainFigures> DrainAsync(long since, TimeSpan patience, CancellationToken ct, string? what = null)
    {
        var clock = Stopwatch.StartNew();
        var count = new Backlog(_database, since);
        var first = await count.CountAsync(ct);
        var best = first;
        var lastProgress = clock.Elapsed;
        var lastReport = clock.Elapsed;
        var backlog = first;
        while (backlog > 0)
        {
            await Task.Delay(50, ct);
            backlog = await count.CountAsync(ct);
            if (backlog < best) { best = backlog; lastProgress = clock.Elapsed; }
            if (clock.Elapsed - lastProgress > patience)
            {
                log.Info($"{what ?? "drain"}: gave up, {backlog} requests without an outcome and none came for {patience.TotalSeconds:0} s");
                return new DrainFigures(first, false, clock.Elapsed.TotalSeconds, count.Duplicates);
            }
            if (what is not null && clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
            {
                log.Info($"{what}: {backlog} requests still without an outcome");
                lastReport = clock.Elapsed;
            }
        }
        return new DrainFigures(first, true, clock.Elapsed.TotalSeconds, count.Duplicates);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
