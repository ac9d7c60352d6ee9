namespace ProductionTests.FaultSuite;

/// <summary>The figures of one slot (or of the whole run).</summary>
public sealed record SlotFigures
{
    public required string Slot { get; init; }
    public double? FaultStartSeconds { get; init; }
    public double? FaultEndSeconds { get; init; }
    public double? OutageSeconds { get; init; }
    public bool? Injected { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    public int Sent { get; init; }
    public int Accepted { get; init; }
    public int NotAccepted { get; init; }
    public int Rejected { get; init; }
    public int Scheduled { get; init; }
    public int Failed { get; init; }
    public int Lost { get; init; }
    public int Duplicated { get; init; }
    public int Mismatched { get; init; }
    public int Retried { get; init; }
    public int Replayed { get; init; }
    public double? RecoverSeconds { get; init; }
    public double? CaughtUpSeconds { get; init; }
    public double? LatencyP50Seconds { get; init; }
    public double? LatencyMaxSeconds { get; init; }
    /// <summary>After the fault, no outcome at all for --stall seconds while accepted requests waited.</summary>
    public bool Stalled { get; init; }
    public int StalledPending { get; init; }
}

/// <summary>One request that broke a promise, with the evidence.</summary>
public sealed record Finding(string Kind, string Slot, string Key, string? RequestId, string Detail);

public sealed record SuiteResult
{
    public required DateTimeOffset StartedAt { get; init; }
    public required double Rate { get; init; }
    public required double DurationSeconds { get; init; }
    public required double LoadSeconds { get; init; }
    public required bool Short { get; init; }
    public required double OutageSeconds { get; init; }
    public required IReadOnlyList<string> Faults { get; init; }
    public required IReadOnlyList<SlotFigures> Slots { get; init; }
    public required SlotFigures Overall { get; init; }
    /// <summary>Streams created for a key whose client never got a 201 (it gave up): not promises.</summary>
    public required int CreatedWithout201 { get; init; }
    /// <summary>Of those, how many have no outcome.</summary>
    public required int CreatedWithout201Pending { get; init; }
    /// <summary>Streams that no request of the load (nor the warm-up) accounts for.</summary>
    public required int UnexpectedStreams { get; init; }
    /// <summary>Stub challenges for a request id the event store does not have.</summary>
    public required int StubChallengesWithoutRequest { get; init; }
    public required IReadOnlyList<QueueDepth> NonEmptyQueues { get; init; }
    /// <summary>Marten's tombstone events (appends that failed after taking sequence numbers); not requests.</summary>
    public required long Tombstones { get; init; }
    public required double DrainSeconds { get; init; }
    public required bool Drained { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required IReadOnlyDictionary<string, string> Definitions { get; init; }
    public required bool Passed { get; init; }
}

/// <summary>Puts the load's records, the event store and the stub side by side.</summary>
public static class Analysis
{
    public static readonly IReadOnlyDictionary<string, string> Definitions = new Dictionary<string, string>
    {
        ["slot"] = "baseline: the load before the first fault; then one slot per fault, from its start until the next fault starts (the last until the load ends). A request counts in the slot its first attempt was sent in.",
        ["fault at / outage"] = "seconds since the load started: when the fault was injected (stop script run, SIGKILL, stub knob set) and when the broken part was back (start script returned; restarted scheduler answered /health/ready, restarted requests-api /health/live; knob reset); outage = end - start.",
        ["accepted"] = "got a 201 (retries with the same Idempotency-Key included). Only a 201 is a promise.",
        ["not acc."] = "no 201 before giving up (60 s after the first attempt by default): allowed while requests-api or PostgreSQL is down.",
        ["scheduled / failed"] = "accepted requests whose outcome event is ChallengeScheduled / ChallengeFailed.",
        ["lost"] = "accepted, but not exactly one ChallengeRequested in the event store, or no outcome event when the drain ended (every accepted request has its outcome, or no new outcome came for --drain seconds, 120 by default). Must be 0.",
        ["dup."] = "more than one ChallengeRequested, outcome event or stub challenge for one request, or two request ids for one Idempotency-Key (two 201s naming different ids, the key's stored record naming another id, or two streams carrying the request's unique title). Must be 0.",
        ["stalled"] = "after a fault, no outcome at all was recorded for --stall seconds (45) while accepted requests sent before the fault's end waited: the pipeline had stopped. Before the next fault the suite waits for the backlog (at most --recovery-cap, 120 s), so a later fault cannot hide a stall. Must not happen.",
        ["recover"] = "time to recover: from the fault's end until the outcome of the first accepted request first sent after the fault's end, i.e. until a new request goes through end to end again.",
        ["caught up"] = "from the fault's end until every accepted request first sent before the fault's end has its outcome (the backlog is cleared); 0 when nothing was waiting.",
        ["latency"] = "from a request's first attempt until its outcome event was committed (mt_events.timestamp), over the slot's accepted requests: median / maximum.",
    };

    public static SuiteResult Analyse(
        SuiteOptions options,
        Timeline timeline,
        IReadOnlyList<RequestRecord> requests,
        string? warmUpRequestId,
        IReadOnlyList<StoredEvent> events,
        IReadOnlyList<string> streamIds,
        IReadOnlyDictionary<string, string> keyRecords,
        IReadOnlyList<StubChallenge> stubChallenges,
        IReadOnlyList<QueueDepth> queues,
        long tombstones,
        TimeSpan drain,
        bool drained)
    {
        var byStream = events.GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.ToList());
        var streamsByTitle = events.Where(e => e.IsRequested && e.Title is not null)
            .GroupBy(e => e.Title!).ToDictionary(g => g.Key, g => g.Select(e => e.StreamId).Distinct().ToList());
        var stubByRequest = stubChallenges.GroupBy(c => c.RequestId).ToDictionary(g => g.Key, g => g.ToList());
        var slots = timeline.Slots;
        var findings = new List<Finding>();

        // Per request: its outcome time (first outcome event), or null.
        var outcomeAt = new Dictionary<RequestRecord, DateTimeOffset>();
        var perRequest = new List<(RequestRecord Request, bool Lost, bool Duplicated, bool Mismatched, bool Scheduled, bool Failed)>();
        foreach (var request in requests)
        {
            var slot = slots[request.Slot].Name;
            var duplicates = new List<string>();
            if (request.RequestIdsSeen.Count > 1) duplicates.Add($"201s named {string.Join(" and ", request.RequestIdsSeen)}");
            var titled = streamsByTitle.GetValueOrDefault(request.Title) ?? [];
            if (titled.Count > 1) duplicates.Add($"{titled.Count} streams carry its title: {string.Join(", ", titled)}");

            if (!request.Accepted)
            {
                // Not a promise; still, one key must never have made two requests.
                if (duplicates.Count > 0) findings.Add(new Finding("duplicated", slot, request.Key, titled.FirstOrDefault(), string.Join("; ", duplicates)));
                perRequest.Add((request, false, duplicates.Count > 0, false, false, false));
                continue;
            }

            var id = request.RequestId!;
            var stream = byStream.GetValueOrDefault(id) ?? [];
            var requested = stream.Count(e => e.IsRequested);
            var outcomes = stream.Where(e => e.IsOutcome).ToList();
            var stub = stubByRequest.GetValueOrDefault(id) ?? [];
            if (keyRecords.TryGetValue(request.Key, out var recorded) && recorded != id) duplicates.Add($"the key's record names {recorded}");
            if (requested > 1) duplicates.Add($"{requested} ChallengeRequested");
            if (outcomes.Count > 1) duplicates.Add($"{outcomes.Count} outcome events ({string.Join(", ", outcomes.Select(o => o.Type))})");
            if (stub.Count > 1) duplicates.Add($"{stub.Count} stub challenges ({string.Join(", ", stub.Select(c => c.Id))})");

            var lostBecause = requested == 0 ? "no ChallengeRequested in the event store"
                : outcomes.Count == 0 ? $"no outcome by the deadline (stub challenges: {stub.Count})"
                : null;
            var scheduled = outcomes.Count > 0 && outcomes[0].IsScheduled;
            var failed = outcomes.Count > 0 && outcomes[0].IsFailed;
            string? mismatch = null;
            if (scheduled && stub.Count == 0) mismatch = $"scheduled as {outcomes[0].ChallengeId} but the stub has no challenge for it";
            else if (scheduled && stub.Count == 1 && stub[0].Id != outcomes[0].ChallengeId) mismatch = $"scheduled as {outcomes[0].ChallengeId}, the stub's challenge is {stub[0].Id}";
            if (outcomes.Count > 0) outcomeAt[request] = outcomes[0].Timestamp;

            if (lostBecause is not null) findings.Add(new Finding("lost", slot, request.Key, id, lostBecause));
            if (duplicates.Count > 0) findings.Add(new Finding("duplicated", slot, request.Key, id, string.Join("; ", duplicates)));
            if (mismatch is not null) findings.Add(new Finding("mismatched", slot, request.Key, id, mismatch));
            perRequest.Add((request, lostBecause is not null, duplicates.Count > 0, mismatch is not null, scheduled, failed));
        }

        var firstAttempts = requests.Where(r => r.Accepted && outcomeAt.ContainsKey(r)).OrderBy(r => r.FirstSentAt).ToList();
        SlotFigures Figures(string name, IReadOnlyCollection<(RequestRecord Request, bool Lost, bool Duplicated, bool Mismatched, bool Scheduled, bool Failed)> rows, Slot? slot)
        {
            var latencies = rows.Where(r => outcomeAt.ContainsKey(r.Request))
                .Select(r => (outcomeAt[r.Request] - r.Request.FirstSentAt).TotalSeconds).Order().ToList();
            double? recover = null, caughtUp = null;
            if (slot is { FaultEnd: { } end })
            {
                var next = requests.Where(r => r.Accepted && r.FirstSentAt >= end).MinBy(r => r.FirstSentAt);
                if (next is not null && outcomeAt.TryGetValue(next, out var at)) recover = Math.Max(0, (at - end).TotalSeconds);
                var before = firstAttempts.Where(r => r.FirstSentAt < end).Select(r => (outcomeAt[r] - end).TotalSeconds).DefaultIfEmpty(0).Max();
                caughtUp = Math.Max(0, before);
            }
            return new SlotFigures
            {
                Slot = name,
                FaultStartSeconds = slot?.FaultStart is { } s ? Round(timeline.Seconds(s)) : null,
                FaultEndSeconds = slot?.FaultEnd is { } e ? Round(timeline.Seconds(e)) : null,
                OutageSeconds = slot is { FaultStart: { } fs, FaultEnd: { } fe } ? Round((fe - fs).TotalSeconds) : null,
                Injected = slot is { IsFault: true } ? slot.Injected : null,
                Notes = slot is null ? [] : [.. slot.Observed.Select(o => $"observed: {o}"), .. slot.Notes],
                Sent = rows.Count,
                Accepted = rows.Count(r => r.Request.Accepted),
                NotAccepted = rows.Count(r => !r.Request.Accepted && r.Request.Rejection is null),
                Rejected = rows.Count(r => r.Request.Rejection is not null),
                Scheduled = rows.Count(r => r.Scheduled),
                Failed = rows.Count(r => r.Failed),
                Lost = rows.Count(r => r.Lost),
                Duplicated = rows.Count(r => r.Duplicated),
                Mismatched = rows.Count(r => r.Mismatched),
                Retried = rows.Count(r => r.Request.Attempts > 1),
                Replayed = rows.Count(r => r.Request.Replayed),
                RecoverSeconds = Round(recover),
                CaughtUpSeconds = Round(caughtUp),
                LatencyP50Seconds = latencies.Count > 0 ? Round(latencies[latencies.Count / 2]) : null,
                LatencyMaxSeconds = latencies.Count > 0 ? Round(latencies[^1]) : null,
                Stalled = slot?.Stalled ?? false,
                StalledPending = slot?.StalledPending ?? 0,
            };
        }

        var slotFigures = slots.Select(s => Figures(s.Name, perRequest.Where(r => r.Request.Slot == s.Index).ToList(), s)).ToList();
        var overall = Figures("overall", perRequest, null) with
        {
            RecoverSeconds = slotFigures.Max(s => s.RecoverSeconds),
            CaughtUpSeconds = slotFigures.Max(s => s.CaughtUpSeconds),
        };

        // Beyond the promises: what else is in the store and the stub.
        var ours = new HashSet<string>(requests.Where(r => r.Accepted).Select(r => r.RequestId!));
        var titles = requests.ToDictionary(r => r.Title);
        var titleOf = events.Where(e => e.IsRequested).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.First().Title);
        var unanswered = streamIds.Where(id => !ours.Contains(id) && id != warmUpRequestId
                                               && titleOf.GetValueOrDefault(id) is { } t && titles.ContainsKey(t)).ToHashSet();
        var unexpected = streamIds.Count(id => !ours.Contains(id) && id != warmUpRequestId && !unanswered.Contains(id));
        var streamSet = new HashSet<string>(streamIds);

        // A fault that was not seen to take effect tested nothing: the run fails rather than pass on it.
        var passed = overall.Lost == 0 && overall.Duplicated == 0 && overall.Mismatched == 0 && unexpected == 0 && !slotFigures.Any(s => s.Stalled)
                     && slotFigures.All(s => s.Injected != false);
        return new SuiteResult
        {
            StartedAt = timeline.LoadStartedAt,
            Rate = options.Rate,
            DurationSeconds = options.Duration.TotalSeconds,
            LoadSeconds = Round(timeline.Seconds(timeline.LoadEnd))!.Value,
            Short = options.Short,
            OutageSeconds = options.Outage.TotalSeconds,
            Faults = options.Faults,
            Slots = slotFigures,
            Overall = overall,
            CreatedWithout201 = unanswered.Count,
            CreatedWithout201Pending = unanswered.Count(id => !(byStream.GetValueOrDefault(id) ?? []).Any(e => e.IsOutcome)),
            UnexpectedStreams = unexpected,
            StubChallengesWithoutRequest = stubChallenges.Count(c => !streamSet.Contains(c.RequestId)),
            NonEmptyQueues = queues,
            Tombstones = tombstones,
            DrainSeconds = Round(drain.TotalSeconds)!.Value,
            Drained = drained,
            Findings = findings,
            Definitions = Definitions,
            Passed = passed,
        };
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;
}
