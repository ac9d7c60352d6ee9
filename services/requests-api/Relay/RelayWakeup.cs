using System.Diagnostics;
using JasperFx.Events.Daemon.HighWater;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Relay;

/// <summary>
/// The async daemon's pause between two looks for new events, cut short when this process has just
/// committed some: after a quiet spell the relay sees a create at once instead of at the next poll.
/// A look is not cheap (the daemon's high-water queries, its progress writes, the page), so looks woken
/// this way are at least <see cref="MinimumSpacing"/> apart: under a steady load the daemon looks as
/// often as its fast polling would, and each look takes every create since the last one. Signals
/// coalesce, and creates committed by another API instance are still seen by polling.
/// </summary>
public sealed class RelayWakeup(TimeSpan minimumSpacing) : IDaemonWakeup, IDisposable
{
    private readonly WakeSignal _committed = new();
    private long _lastLook = Stopwatch.GetTimestamp();

    public TimeSpan MinimumSpacing { get; } = minimumSpacing;

    /// <summary>Events were committed: the daemon's current or next pause ends now, or once it has lasted <see cref="MinimumSpacing"/>.</summary>
    public void EventsCommitted() => _committed.Set();

    public async Task WaitAsync(TimeSpan delay, CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        if (await _committed.WaitAsync(delay, token))
        {
            var rest = RestAfterWake(Stopwatch.GetElapsedTime(_lastLook), MinimumSpacing, delay - Stopwatch.GetElapsedTime(started));
            if (rest > TimeSpan.Zero) await Task.Delay(rest, token);
        }
        _lastLook = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// How much longer a pause ended by a commit goes on: until the previous look is <paramref name="spacing"/>
    /// old, but never past the daemon's own pause (<paramref name="pauseLeft"/>).
    /// </summary>
    public static TimeSpan RestAfterWake(TimeSpan sinceLastLook, TimeSpan spacing, TimeSpan pauseLeft)
    {
        var rest = spacing - sinceLastLook;
        if (rest > pauseLeft) rest = pauseLeft;
        return rest > TimeSpan.Zero ? rest : TimeSpan.Zero;
    }

    public void Dispose() => _committed.Dispose();
}
