using System.Text;

namespace ProductionTests.FaultSuite.Cluster;

/// <summary>The run's table (one row per fault) and verdict, printed and kept in the log directory as report.md.</summary>
public static class ClusterReport
{
    public static string Write(ClusterOptions options, string runId, IReadOnlyList<RequestRecord> requests, IReadOnlyList<ClusterFault> faults, ClusterVerdict verdict, string directory)
    {
        static string S(TimeSpan? t) => t is { } v ? $"{v.TotalSeconds:0.0} s" : "never";
        var text = new StringBuilder();
        text.AppendLine($"Cluster fault suite {runId}: {options.Rate:0.#} creates/s through HAProxy, {options.Slot.TotalSeconds:0} s per fault{(options.Short ? " (short)" : "")}");
        text.AppendLine();
        text.AppendLine("| fault | target | accepted | lost | duplicated | relay publishing again | longest create outage | longest publish stall | longest consume stall | took effect |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var f in faults)
        {
            var slot = requests.Where(r => r.Slot == f.Slot).ToList();
            var accepted = slot.Count(r => r.Accepted);
            var lostInSlot = verdict.Findings.Count(x => x.StartsWith("lost:", StringComparison.Ordinal) && slot.Any(r => x.Contains(r.Key, StringComparison.Ordinal)));
            var dupInSlot = slot.Count(r => r.RequestIdsSeen.Count > 1);
            text.AppendLine($"| {f.Name} | {f.Target} | {accepted} of {slot.Count} | {lostInSlot} | {dupInSlot} | {S(f.RelayAgain)} | {S(f.CreateOutage)} | {S(f.PublishStall)} | {S(f.ConsumeStall)} | {(f.Injected ? "yes: " + string.Join("; ", f.Observed) : "NO: " + string.Join("; ", f.Problems))} |");
        }
        text.AppendLine();
        text.AppendLine("Targets (measured, reported; the verdict is about correctness):");
        foreach (var f in faults)
            foreach (var (what, limit, measured) in f.Targets())
                text.AppendLine($"  {f.Name}: {what} {S(measured)} (target {limit.TotalSeconds:0} s): {(measured is { } m && m <= limit ? "met" : "MISSED")}");
        text.AppendLine();
        text.AppendLine($"Verdict: {(verdict.Passed ? "PASSED" : "FAILED")}: {verdict.Accepted} accepted of {requests.Count}, {verdict.Lost} lost, {verdict.Duplicated} duplicated, " +
                        $"{verdict.Unscheduled} not scheduled, queues {(verdict.NonEmptyQueues.Count == 0 ? "all empty" : "not empty: " + string.Join(", ", verdict.NonEmptyQueues))}, " +
                        $"faults not observed: {(verdict.FaultsNotObserved.Count == 0 ? "none" : string.Join("; ", verdict.FaultsNotObserved))}{(verdict.Drained ? "" : ", drain incomplete")}");
        foreach (var finding in verdict.Findings.Take(20)) text.AppendLine($"  {finding}");
        File.WriteAllText(Path.Combine(directory, "report.md"), text.ToString());
        return text.ToString();
    }
}
