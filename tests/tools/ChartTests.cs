using ProductionTests.Benchmark;
using ProductionTests.Charts;
using ProductionTests.FaultSuite;
using ScottPlot.Plottables;

namespace ProductionTests.ToolTests;

/// <summary>The charts the tools write: made from a crafted run, with the fault windows in the plot model, not only pixels.</summary>
public sealed class ChartTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pt-charts-").FullName;

    [Fact]
    public void The_fault_suite_timeline_shades_and_labels_each_fault_window()
    {
        var run = new CleanRun(FaultNames.ApiKill);
        var (seconds, faults) = TimelineChart.Figures(run.Timeline, run.Evidence());

        var window = Assert.Single(faults);
        Assert.Equal((FaultNames.ApiKill, 5.0, 8.0), (window.Name, window.StartSeconds, window.EndSeconds));
        Assert.Equal([1, 10], seconds.Select(s => s.Second));
        Assert.All(seconds, s => Assert.Equal(1, s.Accepted));
        // Each crafted request: ChallengeRequested 10 ms after sending, its outcome at 500 ms.
        Assert.All(seconds, s => Assert.Equal((490.0, 490.0), (s.P50Ms, s.P99Ms)));

        var plot = FaultTimeline.Build(seconds, faults, "crafted");
        Assert.Equal([(FaultNames.ApiKill, 5.0, 8.0)], FaultTimeline.Windows(plot));
        Assert.Contains(plot.GetPlottables().OfType<Scatter>(), s => s.LegendText == "accepted/s");

        var files = TimelineChart.Write(run.Timeline, run.Evidence(), Path.Combine(_directory, "result.json"), passed: true);
        Assert.Equal([Path.Combine(_directory, "result-timeline.png"), Path.Combine(_directory, "result-timeline.svg")], files);
        Assert.True(new FileInfo(files[0]).Length > 5_000, "the PNG is (nearly) empty");
        Assert.Contains(FaultNames.ApiKill, File.ReadAllText(files[1]));
    }

    [Fact]
    public void A_timeline_without_faults_has_no_window()
    {
        var plot = FaultTimeline.Build([new TimelineSecond(0, 3, 20, 40)], [], "no faults");
        Assert.Empty(FaultTimeline.Windows(plot));
    }

    [Fact]
    public void The_benchmark_charts_have_a_line_per_phase_and_mark_the_steps_that_did_not_keep_up()
    {
        LatencyProfile[] phases = [new("2 POST", 5, 9, 20, 80), new("3 create-to-scheduled", 30, 45, 66, 120)];
        var latency = BenchmarkCharts.Latencies(phases, "crafted");
        Assert.Equal(["2 POST", "3 create-to-scheduled"], latency.GetPlottables().OfType<Scatter>().Select(s => s.LegendText));

        RateStep[] steps = [new(400, 400, 30, true), new(600, 598, 45, true), new(800, 610, 900, false)];
        var chart = BenchmarkCharts.Steps(steps, "crafted");
        var missed = Assert.Single(chart.GetPlottables().OfType<Scatter>(), s => s.LegendText == "outcomes did not keep up");
        Assert.Equal(800, Assert.Single(missed.Data.GetScatterPoints()).X);

        var files = ChartFiles.Save(chart, Path.Combine(_directory, "steps"));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 1_000, $"{f} is (nearly) empty"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
