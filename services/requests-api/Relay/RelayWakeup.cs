using JasperFx.Events.Daemon.HighWater;

namespace ProductionTests.RequestsApi.Relay;

/// <summary>
/// The async daemon's pause between two looks for new events, cut short when this process has just
/// committed some: the relay sees a create at once instead of at the next poll (25-50 ms later).
/// Signals coalesce: however many commits land during one look, the daemon looks once more, so the
/// polling rate is bounded by how fast a look is, not by the number of commits. Creates committed by
/// another API instance are still seen by polling.
/// </summary>
public sealed class RelayWakeup : IDaemonWakeup, IDisposable
{
    private readonly SemaphoreSlim _committed = new(0, 1);

    /// <summary>Events were committed: the daemon's current or next pause ends now.</summary>
    public void EventsCommitted()
    {
        try { _committed.Release(); }
        catch (SemaphoreFullException) { /* a wake-up is already pending */ }
    }

    public Task WaitAsync(TimeSpan delay, CancellationToken token) => _committed.WaitAsync(delay, token);

    public void Dispose() => _committed.Dispose();
}
