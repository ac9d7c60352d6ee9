using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>What a finished attempt did to its app's pause.</summary>
public enum PauseChange { None, Paused, PauseExtended, Resumed }

/// <summary>
/// The pause of a failing destination (a circuit breaker per app). After <see cref="WebhookOptions.PauseAfterFailures"/> failed
/// attempts in a row the app gets no slots for the first of <see cref="WebhookOptions.Pauses"/>; when a pause ends one slot opens
/// for a probe; a failed probe starts the next, longer pause, a success (any attempt's) resumes the app at full concurrency.
/// Deliveries waiting meanwhile are not claimed, so they spend none of their attempts.
/// The state is this instance's, in memory: several dispatchers each count, pause and probe on their own (a dead receiver gets
/// up to one probe per instance per pause), which costs little and needs no shared state; a restart starts unpaused.
/// A change of the app's URL starts it afresh (the owner moved the receiver).
/// </summary>
public sealed class WebhookDestinationPauses
{
    /// <summary>
    /// The outcomes that count as a failure: every answer or non-answer of the receiver that is not 2xx. A 4xx (or 3xx) counts like
    /// a 5xx: a receiver that refuses N in a row (bad path, wrong secret, gone) will refuse the next too, and attempting each delivery
    /// anyway spends its retries for nothing, while a pause spends none. refused_address counts too (the name resolves to a forbidden
    /// address until its owner fixes DNS). Not counted: disabled (nothing was sent) and abandoned (the dispatcher stopped, not the receiver).
    /// </summary>
    public static readonly IReadOnlySet<string> FailureOutcomes = new HashSet<string>(
        ["http_error", "timeout", "connection_failed", "connection_lost", "refused_address"], StringComparer.Ordinal);

    private sealed class State(string url)
    {
        public string Url { get; } = url;
        public int Failures { get; set; }
        public int FailedProbes { get; set; }
        public DateTimeOffset? PausedSince { get; set; }
        public DateTimeOffset PausedUntil { get; set; }
        public bool ProbeInFlight { get; set; }
    }

    private readonly int _failuresToPause;
    private readonly IReadOnlyList<TimeSpan> _pauses;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public WebhookDestinationPauses(IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookDestinationPauses> logger)
    {
        _failuresToPause = options.Value.PauseAfterFailures;
        _pauses = options.Value.Pauses is { Count: > 0 } pauses ? pauses : [TimeSpan.FromSeconds(5)];
        _clock = clock;
        _logger = logger;
        Telemetry.Meter.CreateObservableGauge("production_tests.webhooks.paused_destinations", PausedCount,
            description: "Apps whose deliveries this instance's dispatcher holds back because their receiver keeps failing");
    }

    /// <summary>How many of <paramref name="open"/> free slots the app may fill now: all, none (paused), or one (the probe).</summary>
    public int Slots(string clientId, string url, int open)
    {
        lock (_lock)
        {
            var state = StateOf(clientId, url);
            if (state.PausedSince is null) return open;
            return state.ProbeInFlight || _clock.GetUtcNow() < state.PausedUntil ? 0 : Math.Min(open, 1);
        }
    }

    /// <summary>A delivery of the app was claimed; true when it is the probe of a paused app (there is one at a time).</summary>
    public bool Claimed(string clientId, string url)
    {
        lock (_lock)
        {
            var state = StateOf(clientId, url);
            if (state.PausedSince is null || state.ProbeInFlight || _clock.GetUtcNow() < state.PausedUntil) return false;
            state.ProbeInFlight = true;
            return true;
        }
    }

    /// <summary>An attempt ended with <paramref name="outcome"/> (null: it ended without one, e.g. at shutdown).</summary>
    public PauseChange Finished(string clientId, string url, string? outcome, bool probe)
    {
        PauseChange change;
        DateTimeOffset? since;
        DateTimeOffset until;
        lock (_lock)
        {
            // Sent to an address the app no longer has: says nothing of the new one.
            if (!_states.TryGetValue(clientId, out var state) || state.Url != url) return PauseChange.None;
            since = state.PausedSince;
            change = Update(state, outcome, probe);
            until = state.PausedUntil;
        }
        switch (change)
        {
            case PauseChange.Paused:
                _logger.LogInformation(
                    "Webhooks of {ClientId} paused on this instance after {Failures} failed attempts in a row (last: {Outcome}); a probe attempt at {Until:O}",
                    clientId, _failuresToPause, outcome, until);
                break;
            case PauseChange.PauseExtended:
                _logger.LogDebug("Webhooks of {ClientId}: the probe failed ({Outcome}); paused until {Until:O}", clientId, outcome, until);
                break;
            case PauseChange.Resumed:
                _logger.LogInformation("Webhooks of {ClientId} resumed on this instance: an attempt succeeded after a pause since {Since:O}", clientId, since);
                break;
        }
        return change;
    }

    public bool IsPaused(string clientId)
    {
        lock (_lock) return _states.GetValueOrDefault(clientId)?.PausedSince is not null;
    }

    public int PausedCount()
    {
        lock (_lock) return _states.Values.Count(s => s.PausedSince is not null);
    }

    private PauseChange Update(State state, string? outcome, bool probe)
    {
        var now = _clock.GetUtcNow();
        var paused = state.PausedSince is not null;
        if (probe) state.ProbeInFlight = false;
        if (outcome == "delivered")
        {
            state.Failures = 0;
            state.FailedProbes = 0;
            state.PausedSince = null;
            return paused ? PauseChange.Resumed : PauseChange.None;
        }
        // Says nothing of the receiver (and a probe that ended so leaves the way open for the next one at once).
        if (outcome is null || !FailureOutcomes.Contains(outcome)) return PauseChange.None;
        if (paused)
        {
            // An attempt claimed before the pause began, ending during it, is not a probe: the pause already stands for it.
            if (!probe) return PauseChange.None;
            state.FailedProbes++;
            state.PausedUntil = now + _pauses[Math.Min(state.FailedProbes, _pauses.Count - 1)];
            return PauseChange.PauseExtended;
        }
        state.Failures++;
        if (_failuresToPause <= 0 || state.Failures < _failuresToPause) return PauseChange.None;
        state.Failures = 0;
        state.FailedProbes = 0;
        state.PausedSince = now;
        state.PausedUntil = now + _pauses[0];
        return PauseChange.Paused;
    }

    private State StateOf(string clientId, string url)
    {
        if (_states.TryGetValue(clientId, out var state) && state.Url == url) return state;
        return _states[clientId] = new State(url);
    }
}
