namespace ProductionTests.FaultSuite.Cluster;

/// <summary>
/// The rules: every 201 has exactly one committed request (none lost, no key answered with two ids, no title
/// committed twice), exactly one outcome, scheduled, and exactly one challenge at the stub; every queue of the
/// cluster (error queues included) empty; every fault seen to take effect.
/// </summary>
public sealed record ClusterVerdict(int Accepted, int Lost, int Duplicated, int Unscheduled, IReadOnlyList<string> NonEmptyQueues,
    IReadOnlyList<string> FaultsNotObserved, bool Drained, IReadOnlyList<string> Findings)
{
    // A run that accepted nothing proves nothing.
    public bool Passed => Accepted > 0 && Lost == 0 && Duplicated == 0 && Unscheduled == 0 && NonEmptyQueues.Count == 0 && FaultsNotObserved.Count == 0 && Drained;

    public static ClusterVerdict Judge(IReadOnlyList<RequestRecord> requests, IReadOnlyList<StoredEvent> events, IReadOnlyList<StubChallenge> challenges,
        IReadOnlyDictionary<string, long> queues, IReadOnlyList<ClusterFault> faults, bool drained)
    {
        var findings = new List<string>();
        var accepted = requests.Where(r => r.Accepted).ToList();
        var requested = events.Where(e => e.IsRequested).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.Count());
        var outcomes = events.Where(e => e.IsOutcome).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.ToList());
        var challengesByRequest = challenges.GroupBy(c => c.RequestId).ToDictionary(g => g.Key, g => g.Count());

        var lost = accepted.Where(r => !requested.ContainsKey(r.RequestId!)).ToList();
        findings.AddRange(lost.Take(5).Select(r => $"lost: {r.Key} was answered 201 {r.RequestId}, which the store does not have"));

        var duplicated = new HashSet<string>();
        foreach (var r in requests.Where(r => r.RequestIdsSeen.Count > 1)) { duplicated.Add(r.Key); findings.Add($"duplicated: {r.Key} answered with {string.Join(", ", r.RequestIdsSeen)}"); }
        foreach (var title in events.Where(e => e.IsRequested && e.Title is not null).GroupBy(e => e.Title!).Where(g => g.Select(e => e.StreamId).Distinct().Count() > 1))
        { duplicated.Add(title.Key); findings.Add($"duplicated: '{title.Key}' committed as {title.Select(e => e.StreamId).Distinct().Count()} requests"); }
        foreach (var r in accepted)
        {
            if (requested.GetValueOrDefault(r.RequestId!) > 1 || outcomes.GetValueOrDefault(r.RequestId!)?.Count > 1 || challengesByRequest.GetValueOrDefault(r.RequestId!) > 1)
            {
                duplicated.Add(r.Key);
                findings.Add($"duplicated: {r.RequestId} has {requested.GetValueOrDefault(r.RequestId!)} requests, {outcomes.GetValueOrDefault(r.RequestId!)?.Count ?? 0} outcomes, {challengesByRequest.GetValueOrDefault(r.RequestId!)} stub challenges");
            }
        }

        var unscheduled = accepted.Where(r => outcomes.GetValueOrDefault(r.RequestId!) is not [{ IsScheduled: true }] || challengesByRequest.GetValueOrDefault(r.RequestId!) != 1).ToList();
        findings.AddRange(unscheduled.Take(5).Select(r => $"not scheduled: {r.RequestId} ({outcomes.GetValueOrDefault(r.RequestId!)?.Count ?? 0} outcomes, {challengesByRequest.GetValueOrDefault(r.RequestId!)} stub challenges)"));

        var nonEmpty = queues.Where(q => q.Value != 0).Select(q => $"{q.Key} ({q.Value})").ToList();
        var notObserved = faults.Where(f => !f.Injected).Select(f => $"{f.Name}: {(f.Problems.Count > 0 ? string.Join("; ", f.Problems) : "nothing showed it took effect")}").ToList();
        return new ClusterVerdict(accepted.Count, lost.Count, duplicated.Count, unscheduled.Count, nonEmpty, notObserved, drained, findings);
    }
}
