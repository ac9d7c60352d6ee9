using ProductionTests.Charts;

namespace ProductionTests.FaultSuite;

/// <summary>The run's timeline chart (<see cref="FaultTimeline"/>), written next to its JSON as &lt;name&gt;-timeline.png/.svg.</summary>
public static class TimelineChart
{
    /// <summary>
    /// Per second of the load: the creates accepted (201) in it, and the create-to-outcome latency of those creates
    /// (the store's timestamps of ChallengeRequested and of the outcome); each fault from its start to its end.
    /// </summary>
    public static (IReadOnlyList<TimelineSecond> Seconds, IReadOnlyList<FaultWindow> Faults) Figures(Timeline timeline, SuiteEvidence evidence)
    {
        var t0 = timeline.LoadStartedAt;
        var requested = new Dictionary<string, DateTimeOffset>();
        var outcome = new Dictionary<string, DateTimeOffset>();
        foreach (var e in evidence.Events)
        {
            if (e.IsRequested) requested.TryAdd(e.StreamId, e.Timestamp);
            else if (e.IsOutcome) outcome.TryAdd(e.StreamId, e.Timestamp);
        }
        var seconds = evidence.Requests
            .Where(r => r.AcceptedAt is not null && r.RequestId is not null)
            .GroupBy(r => Math.Floor((r.AcceptedAt!.Value - t0).TotalSeconds))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var latencies = g.Where(r => requested.ContainsKey(r.RequestId!) && outcome.ContainsKey(r.RequestId!))
                    .Select(r => (outcome[r.RequestId!] - requested[r.RequestId!]).TotalMilliseconds).Order().ToArray();
                return new TimelineSecond(g.Key, g.Count(), Percentile(latencies, 0.50), Percentile(latencies, 0.99));
            })
            .ToList();
        var faults = timeline.Slots.Where(s => s.IsFault && s.FaultStart is not null)
            .Select(s => new FaultWindow(s.Name, (s.FaultStart!.Value - t0).TotalSeconds, ((s.FaultEnd ?? s.FaultStart.Value) - t0).TotalSeconds))
            .ToList();
        return (seconds, faults);
    }

    public static IReadOnlyList<string> Write(Timeline timeline, SuiteEvidence evidence, string resultPath, bool passed)
    {
        var (seconds, faults) = Figures(timeline, evidence);
        var plot = FaultTimeline.Build(seconds, faults, $"Fault suite {timeline.LoadStartedAt:yyyy-MM-dd HH:mm} UTC: {(passed ? "passed" : "FAILED")}");
        var directory = Path.GetDirectoryName(resultPath)!;
        return ChartFiles.Save(plot, Path.Combine(directory, Path.GetFileNameWithoutExtension(resultPath) + "-timeline"));
    }

    /// <summary>Nearest rank, as the suite's other figures.</summary>
    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
