using ProductionTests.Charts;

namespace ProductionTests.Benchmark;

/// <summary>The benchmark's charts, next to its JSON: &lt;name&gt;-latency.png/.svg and &lt;name&gt;-steps.png/.svg.</summary>
public static class Charts
{
    public static IReadOnlyList<LatencyProfile> Profiles(BenchmarkResult result)
    {
        var phases = new List<LatencyProfile>();
        void Add(string phase, LatencySummary? s)
        {
            if (s is { Count: > 0 }) phases.Add(new LatencyProfile(phase, s.P50Ms, s.P90Ms, s.P99Ms, s.MaxMs));
        }
        Add("1 baseline: one INSERT", result.Baseline?.Latency);
        Add($"2 POST ({result.Options.Connections} connections)", result.Post?.Latency);
        Add("2b POST, no relay", result.CreateAlone?.Latency);
        Add($"3 POST at {result.Latency?.Rate:0}/s", result.Latency?.Creates.Latency);
        Add($"3 create-to-scheduled at {result.Latency?.Rate:0}/s", result.Latency?.CreateToOutcome);
        Add("growth POST", result.Growth?.Post.Latency);
        return phases;
    }

    public static IReadOnlyList<RateStep> Steps(BenchmarkResult result) =>
        [.. (result.Sustained?.Steps ?? []).Select(s => new RateStep(s.Rate, s.AcceptedPerSecond, s.CreateLatency.P99Ms, s.KeptUp))];

    public static IReadOnlyList<string> Write(BenchmarkResult result, string resultPath)
    {
        var stem = Path.Combine(Path.GetDirectoryName(resultPath)!, Path.GetFileNameWithoutExtension(resultPath));
        var when = $"{result.StartedAt:yyyy-MM-dd HH:mm} UTC, {result.Form} form, {result.ProcessorCount} cores";
        var files = new List<string>(ChartFiles.Save(BenchmarkCharts.Latencies(Profiles(result), $"Latency by phase ({when})"), stem + "-latency"));
        if (result.Sustained is not null)
            files.AddRange(ChartFiles.Save(BenchmarkCharts.Steps(Steps(result), $"Sustained rate, phase 4 ({when})"), stem + "-steps"));
        return files;
    }
}
