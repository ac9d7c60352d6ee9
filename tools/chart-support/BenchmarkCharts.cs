using ScottPlot;

namespace ProductionTests.Charts;

/// <summary>A phase's latency in percentiles (ms).</summary>
public sealed record LatencyProfile(string Phase, double P50Ms, double P90Ms, double P99Ms, double MaxMs);

/// <summary>One sustained-rate step: offered and accepted creates per second, the creates' p99, whether outcomes kept up.</summary>
public sealed record RateStep(double Offered, double Accepted, double P99Ms, bool KeptUp);

/// <summary>The benchmark's charts: each phase's latency distribution, and the sustained-rate steps.</summary>
public static class BenchmarkCharts
{
    private static readonly string[] Percentiles = ["p50", "p90", "p99", "max"];

    /// <summary>One line per phase across p50, p90, p99 and max, on a log scale of milliseconds.</summary>
    public static Plot Latencies(IReadOnlyList<LatencyProfile> phases, string title)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.YLabel("milliseconds (log)");
        var palette = new ScottPlot.Palettes.Category10();
        var xs = Enumerable.Range(0, Percentiles.Length).Select(i => (double)i).ToArray();
        for (var i = 0; i < phases.Count; i++)
        {
            var p = phases[i];
            double[] ms = [p.P50Ms, p.P90Ms, p.P99Ms, p.MaxMs];
            if (ms.Any(v => !(v > 0))) continue;
            var line = plot.Add.Scatter(xs, ms.Select(Math.Log10).ToArray(), palette.GetColor(i));
            line.LegendText = p.Phase;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, Percentiles);
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Accepted against offered rate (the diagonal is "all of it"), with each step's p99; steps that did not keep up in red.</summary>
    public static Plot Steps(IReadOnlyList<RateStep> steps, string title)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("offered creates per second");
        plot.Axes.Left.Label.Text = "accepted creates per second";
        plot.Axes.Right.Label.Text = "POST p99 (ms, log)";
        if (steps.Count == 0) return plot;

        var max = steps.Max(s => Math.Max(s.Offered, s.Accepted));
        var ideal = plot.Add.ScatterLine(new[] { 0.0, max }, new[] { 0.0, max }, Colors.Gray);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LegendText = "offered = accepted";

        var accepted = plot.Add.Scatter(steps.Select(s => s.Offered).ToArray(), steps.Select(s => s.Accepted).ToArray(), Colors.SteelBlue);
        accepted.LegendText = "accepted/s";
        accepted.LineWidth = 2;
        var missed = steps.Where(s => !s.KeptUp).ToArray();
        if (missed.Length > 0)
        {
            var marks = plot.Add.ScatterPoints(missed.Select(s => s.Offered).ToArray(), missed.Select(s => s.Accepted).ToArray(), Colors.Red);
            marks.MarkerSize = 11;
            marks.LegendText = "outcomes did not keep up";
        }
        var withP99 = steps.Where(s => s.P99Ms > 0).ToArray();
        if (withP99.Length > 0)
        {
            var p99 = plot.Add.Scatter(withP99.Select(s => s.Offered).ToArray(), withP99.Select(s => Math.Log10(s.P99Ms)).ToArray(), Colors.OrangeRed);
            p99.Axes.YAxis = plot.Axes.Right;
            p99.LegendText = "POST p99";
            p99.LinePattern = LinePattern.Dotted;
        }
        plot.Axes.Right.TickGenerator = LogTicks();
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        LabelFormatter = y => Math.Pow(10, y).ToString("0.#"),
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
    };
}
