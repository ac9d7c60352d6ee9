using System.Text.Json.Serialization;

namespace ProductionTests.Benchmark;

/// <summary>Phase 3: create-to-scheduled at a fixed open-loop rate.</summary>
public sealed record LatencyPhase(
    double Rate,
    LoadFigures Creates,
    long Accepted,
    long WithOutcome,
    LatencySummary CreateToOutcome,
    DrainFigures Drain);

/// <summary>One open-loop step of phase 4.</summary>
public sealed record SustainedStep(
    double Rate,
    double AcceptedPerSecond,
    long Errors,
    LatencySummary CreateLatency,
    long BacklogAtEnd,
    double? DrainSeconds,
    bool KeptUp,
    string? Why,
    [property: JsonIgnore] CpuWindow? Cpu = null);

public sealed record SustainedPhase(double? HighestKeptUp, double? FirstNotKeptUp, string? Why, IReadOnlyList<SustainedStep> Steps);

/// <summary>Phase 5: the rebuild-views command over a filled store.</summary>
public sealed record RebuildPhase(FillFigures Fill, long EventsInStore, long Streams, double Seconds, string? CommandSummary, MartenRebuild? Marten)
{
    public double EventsPerSecond => Seconds > 0 ? EventsInStore / Seconds : 0;
}

/// <summary>Marten's own <c>projections rebuild</c> on the same store, for comparison (decision 0013); the views it left.</summary>
public sealed record MartenRebuild(double Seconds, long EventsInStore, long ViewsAfter)
{
    public double EventsPerSecond => Seconds > 0 ? EventsInStore / Seconds : 0;
}

public sealed record GrowthPhase(FillFigures Fill, long EventsInStore, LoadFigures Post);

/// <summary>One line of the table: a figure next to its target.</summary>
public sealed record TableRow(
    string Phase,
    string Figure,
    double? Value,
    string Unit,
    double? BaselineRatio,
    string Target,
    bool? Met,
    string? Note = null);

public sealed record BenchmarkResult(
    DateTimeOffset StartedAt,
    double TotalSeconds,
    string Form,
    int ProcessorCount,
    BenchmarkOptions Options,
    IReadOnlyList<TableRow> Table,
    IReadOnlyList<CpuWindow> Cpu,
    LoadFigures? Baseline,
    LoadFigures? Post,
    LoadFigures? CreateAlone,
    LatencyPhase? Latency,
    SustainedPhase? Sustained,
    RebuildPhase? Rebuild,
    GrowthPhase? Growth,
    IReadOnlyList<MemoryPeak> Memory,
    IReadOnlyList<string> Notes)
{
    public ListPhaseResult? List { get; init; }
}
