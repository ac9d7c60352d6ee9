using Npgsql;

namespace ProductionTests.FaultSuite.Cluster;

/// <summary>One look at the relay: how far it has published (its progression) and how far the store has gone.</summary>
public sealed record RelaySample(DateTimeOffset At, long Published, long Committed);

/// <summary>
/// Samples the relay's progression (mt_event_progression) and the store's last sequence every 200 ms through
/// the cluster's multi-host address (the primary, wherever it is), so the suite can tell when the relay
/// published again after a fault and the longest time it stood still while events waited.
/// </summary>
public sealed class RelayProbe : IAsyncDisposable
{
    private const string Shard = "challenge-requested-relay:All";
    private readonly NpgsqlDataSource _dataSource;
    private readonly List<RelaySample> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RelayProbe(string hosts)
    {
        _dataSource = new NpgsqlDataSourceBuilder($"Host={hosts};Username=postgres;Database=production_tests;Timeout=2;Command Timeout=2;Host Recheck Seconds=1;Application Name=cluster-suite-probe")
            .BuildMultiHost().WithTargetSession(TargetSessionAttributes.Primary);
        _loop = Task.Run(LoopAsync);
    }

    public IReadOnlyList<RelaySample> Samples { get { lock (_lock) return [.. _samples]; } }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var command = _dataSource.CreateCommand(
                    $"SELECT COALESCE((SELECT last_seq_id FROM {EventStoreNames.Schema}.mt_event_progression WHERE name = '{Shard}'), 0), " +
                    $"COALESCE((SELECT max(seq_id) FROM {EventStoreNames.Schema}.mt_events), 0)");
                await using var reader = await command.ExecuteReaderAsync(_stop.Token);
                if (await reader.ReadAsync(_stop.Token))
                    lock (_lock) _samples.Add(new RelaySample(DateTimeOffset.UtcNow, reader.GetInt64(0), reader.GetInt64(1)));
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // the primary is away (a fault): no sample
            }
            catch (OperationCanceledException) { break; }
            try { await Task.Delay(200, _stop.Token); } catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>
    /// From <paramref name="from"/> (the fault): when the relay first published an event committed after it, i.e.
    /// past the store's last sequence at the first look after the fault, which a relay killed at that moment
    /// cannot have published (null: never within <paramref name="until"/>).
    /// </summary>
    public TimeSpan? PublishedAgainAfter(DateTimeOffset from, DateTimeOffset until)
    {
        var samples = Samples;
        var first = samples.FirstOrDefault(s => s.At > from);
        if (first is null) return null;
        var next = samples.FirstOrDefault(s => s.At > first.At && s.At <= until && s.Published > first.Committed);
        return next is null ? null : next.At - from;
    }

    /// <summary>The longest stretch in [from, until] during which the relay's progression did not move although events waited.</summary>
    public TimeSpan LongestStall(DateTimeOffset from, DateTimeOffset until)
    {
        var samples = Samples.Where(s => s.At >= from - TimeSpan.FromSeconds(1) && s.At <= until).ToList();
        var longest = TimeSpan.Zero;
        DateTimeOffset? stuckSince = null;
        long stuckAt = -1;
        foreach (var s in samples)
        {
            if (s.Published != stuckAt) { stuckAt = s.Published; stuckSince = s.Published < s.Committed ? s.At : null; continue; }
            if (s.Published < s.Committed) stuckSince ??= s.At;
            if (stuckSince is { } since && s.At - since > longest) longest = s.At - since;
        }
        // No sample at all for a while (the database away) counts as standing still too.
        for (var i = 1; i < samples.Count; i++)
            if (samples[i].At - samples[i - 1].At > longest) longest = samples[i].At - samples[i - 1].At;
        return longest;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _dataSource.DisposeAsync();
        _stop.Dispose();
    }
}
