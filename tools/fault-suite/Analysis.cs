namespace ProductionTests.FaultSuite;

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
        ["dup."] = "more than one ChallengeRequested, outcome event or stub challenge for one request (by the stub's challenges or its booking ledger), or two request ids for one Idempotency-Key (two 201s naming different ids, the key's stored record naming another id, or two streams carrying the request's unique title). Must be 0.",
        ["replayed"] = "accepted requests whose 201 came as a replay (Idempotency-Replayed: true): an earlier attempt was committed but its answer never arrived.",
        ["stalled"] = "after a fault, no outcome at all was recorded for --stall seconds (45) while accepted requests sent before the fault's end waited: the pipeline had stopped. Before the next fault the suite waits for the backlog (at most --recovery-cap, 120 s), so a later fault cannot hide a stall. Must not happen.",
        ["recover"] = "time to recover: from the fault's end until the outcome of the first accepted request first sent after the fault's end, i.e. until a new request goes through end to end again.",
        ["caught up"] = "from the fault's end until every accepted request first sent before the fault's end has its outcome (the backlog is cleared); 0 when nothing was waiting.",
        ["verdict"] = "the run fails on any of: nothing accepted; a lost, duplicated or mismatched request; an unexpected stream; a stall; a fault not seen to take effect (port open before and refusing after, the killed pid gone, the stub answering 503) or one after which no request went through; a stub challenge or a booking call for a request id never committed (phantom); a message left in any queue after the drain (_error included), queues that could not be read, or the platform's queues not among them; a committed request whose client got no 201 and which never got an outcome; a final 4xx to a create that the contract does not document, or IDEMPOTENCY_KEY_CONFLICT (the body never changes).",
        ["latency"] = "from a request's first attempt until its outcome event was committed (mt_events.timestamp), over the slot's accepted requests: median / maximum.",
    };

    /// <summary>The queues the scheduler and requests-api consume from: they must be there to be found empty.</summary>
    public static readonly IReadOnlyList<string> PlatformQueues = ["scheduler-challenge-requested", "requests-api-challenge-outcomes"];

    public static SuiteResult Analyse(SuiteOptions options, Timeline timeline, SuiteEvidence evidence)
    {
        var (requests, warmUpRequestId, events, streamIds, keyRecords, stubChallenges) =
            (evidence.Requests, evidence.WarmUpRequestId, evidence.Events, evidence.StreamIds, evidence.KeyRecords, evidence.StubChallenges);
        var bookingByKey = evidence.Bookings.ToDictionary(b => b.Key);
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
            if (bookingByKey.GetValueOrDefault(id) is { Challenges: > 1 } twice) duplicates.Add($"the stub created {twice.Challenges} challenges in {twice.Calls} booking calls");

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
        var createdWithout201Pending = unanswered.Count(id => !(byStream.GetValueOrDefault(id) ?? []).Any(e => e.IsOutcome));
        var challengesWithoutRequest = stubChallenges.Count(c => !streamSet.Contains(c.RequestId));
        var phantoms = evidence.Bookings.Where(b => b.Calls > 0 && !streamSet.Contains(b.Key)).ToList();
        var ourBookings = evidence.Bookings.Where(b => ours.Contains(b.Key)).ToList();
        var undocumented = requests.Where(r => r.Rejection is not null && !CreateRejections.Allowed(r.RejectionStatus, r.RejectionCode)).ToList();
        foreach (var phantom in phantoms.Take(50))
            findings.Add(new Finding("phantom", "-", phantom.Key, null, $"{phantom.Calls} booking calls for a request id the event store does not have"));
        foreach (var rejected in undocumented.Take(50))
            findings.Add(new Finding("rejected", slots[rejected.Slot].Name, rejected.Key, null, $"answered {rejected.Rejection}, which a well-formed create with an identical body must never get"));

        var verdict = new List<string>();
        void Rule(bool broken, string why) { if (broken) verdict.Add(why); }
        Rule(overall.Accepted == 0, "no request was accepted: the run tested nothing");
        Rule(overall.Lost > 0, $"{overall.Lost} accepted requests lost");
        Rule(overall.Duplicated > 0, $"{overall.Duplicated} requests duplicated");
        Rule(overall.Mismatched > 0, $"{overall.Mismatched} scheduled requests whose challenge is not the stub's");
        Rule(unexpected > 0, $"{unexpected} streams no request of the load accounts for");
        foreach (var slot in slotFigures.Where(s => s.Stalled)) verdict.Add($"{slot.Slot}: the pipeline stalled");
        // A fault that was not seen to take effect tested nothing: the run fails rather than pass on it.
        foreach (var slot in slotFigures.Where(s => s.Injected == false)) verdict.Add($"{slot.Slot}: the fault was not seen to take effect");
        foreach (var slot in slotFigures.Where(s => s.Injected == true && s.RecoverSeconds is null)) verdict.Add($"{slot.Slot}: no request sent after the fault went through");
        foreach (var slot in slotFigures.Where(s => s.Slot == FaultNames.ApiKillAfterCommit && s.Replayed == 0))
            verdict.Add($"{slot.Slot}: no request got its 201 as a replay, so the path from a commit to a lost response was not exercised");
        Rule(challengesWithoutRequest > 0, $"{challengesWithoutRequest} stub challenges for no committed request");
        Rule(phantoms.Count > 0, $"{phantoms.Count} request ids booked at the stub that were never committed (phantom calls)");
        var nonEmpty = (evidence.Queues ?? []).Where(q => q.Messages > 0).ToList();
        var missingQueues = evidence.Queues is null ? [] : PlatformQueues.Where(name => evidence.Queues.All(q => q.Queue != name)).ToList();
        Rule(evidence.Queues is null, "the queues could not be read after the drain, so nothing shows they were empty");
        // Empty because they were never found is not empty: the wrong vhost, or queues never declared.
        Rule(missingQueues.Count > 0, $"the platform's queues were not among those read: {string.Join(", ", missingQueues)}");
        Rule(nonEmpty.Count > 0, $"messages left after the drain: {string.Join(", ", nonEmpty.Select(q => $"{q.Queue} {q.Messages}"))}");
        Rule(createdWithout201Pending > 0, $"{createdWithout201Pending} committed requests whose client got no 201 never got an outcome");
        Rule(undocumented.Count > 0, $"{undocumented.Count} creates ended with a 4xx the contract does not allow for them ({string.Join(", ", undocumented.Select(r => r.Rejection).Distinct())})");
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
            CreatedWithout201Pending = createdWithout201Pending,
            UnexpectedStreams = unexpected,
            StubChallengesWithoutRequest = challengesWithoutRequest,
            PhantomBookingCalls = phantoms.Sum(p => p.Calls),
            BookingCalls = ourBookings.Sum(b => b.Calls),
            Rebooked = ourBookings.Count(b => b.Calls > 1),
            UndocumentedRejections = undocumented.Count,
            NonEmptyQueues = evidence.Queues is null ? null : nonEmpty,
            Tombstones = evidence.Tombstones,
            DrainSeconds = Round(evidence.Drain.TotalSeconds)!.Value,
            Drained = evidence.Drained,
            Findings = findings,
            Definitions = Definitions,
            Verdict = verdict,
        };
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;
}
