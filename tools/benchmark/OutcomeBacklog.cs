namespace ProductionTests.Benchmark;

/// <summary>One request or outcome event as the drain reads it.</summary>
public readonly record struct PipelineEvent(long Sequence, string StreamId, bool IsRequest);

/// <summary>
/// The requests without an outcome, counted per request id: one request that lost its outcome and another
/// that got two still leave a backlog of one (a net count of requests minus outcomes would call it drained),
/// and the second outcome is counted as a duplicate. Events at or below the daemon's high-water mark are
/// settled (no earlier one can still commit), applied once and kept; those above it are looked at afresh
/// on every poll.
/// </summary>
public sealed class OutcomeBacklog
{
    private readonly HashSet<string> _pending = [];
    private readonly HashSet<string> _done = [];

    /// <summary>The highest settled sequence applied; the next read starts after it.</summary>
    public long SettledUpTo { get; private set; }
    /// <summary>A second request event or a second outcome for one request id, among the settled events.</summary>
    public int Duplicates { get; private set; }

    public OutcomeBacklog(long since) => SettledUpTo = since;

    /// <param name="events">Every request and outcome event after <see cref="SettledUpTo"/>, in sequence order.</param>
    /// <param name="highWaterMark">The daemon's high-water mark: events at or below it are settled.</param>
    /// <returns>How many requests have no outcome, the unsettled events included.</returns>
    public long Apply(IEnumerable<PipelineEvent> events, long highWaterMark)
    {
        var freshRequests = new HashSet<string>();
        var freshOutcomes = new HashSet<string>();
        foreach (var e in events)
        {
            if (e.Sequence <= SettledUpTo) continue;
            if (e.Sequence > highWaterMark)
            {
                (e.IsRequest ? freshRequests : freshOutcomes).Add(e.StreamId);
                continue;
            }
            if (e.IsRequest)
            {
                if (_pending.Contains(e.StreamId) || _done.Contains(e.StreamId)) Duplicates++;
                else _pending.Add(e.StreamId);
            }
            else if (_pending.Remove(e.StreamId)) _done.Add(e.StreamId);
            else if (_done.Contains(e.StreamId)) Duplicates++;
        }
        if (highWaterMark > SettledUpTo) SettledUpTo = highWaterMark;
        return _pending.Count(id => !freshOutcomes.Contains(id)) + freshRequests.Count(id => !freshOutcomes.Contains(id));
    }
}
