using System.Text.Json.Serialization;

namespace ProductionTests.Benchmark;

/// <summary>Exact percentiles (nearest rank) over every sample, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static readonly LatencySummary Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN);

    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.ToArray();
        if (sorted.Length == 0) return Empty;
        Array.Sort(sorted);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(sorted.Length, Rank(0.50), Rank(0.90), Rank(0.99), sorted[^1]);
    }
}

/// <summary>One phase of load as the client saw it, over its measured window only.</summary>
public sealed record LoadFigures(
    double MeasuredSeconds,
    long Completed,
    long Succeeded,
    long Errors,
    double RequestsPerSecond,
    LatencySummary Latency,
    IReadOnlyDictionary<string, long> ErrorsByKind)
{
    /// <summary>Where the CPU went in the same window (<see cref="CpuAccounting"/>); in the JSON once, as <see cref="BenchmarkResult.Cpu"/>.</summary>
    [JsonIgnore]
    public CpuWindow? Cpu { get; init; }
}
