using ScottPlot;
using ScottPlot.Plottables;

namespace ProductionTests.Charts;

/// <summary>A fault's window on the timeline, in seconds since the load started.</summary>
public sealed record FaultWindow(string Name, double StartSeconds, double EndSeconds);

/// <summary>One second of the fault suite's load: creates accepted in it, and their create-to-outcome latency.</summary>
public sealed record TimelineSecond(double Second, int Accepted, double? P50Ms, double? P99Ms);

/// <summary>
/// The fault suite's timeline: accepted creates per second (left axis), create-to-outcome p50 and p99 of the
/// creates accepted in each second (right axis, ms), and each fault's window shaded and labelled.
/// </summary>
public static class FaultTimeline
{
    public static Plot Build(IReadOnlyList<TimelineSecond> seconds, IReadOnlyList<FaultWindow> faults, string title)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("seconds since the load started");
        plot.Axes.Left.Label.Text = "accepted creates per second";
        plot.Axes.Right.Label.Text = "create-to-outcome (ms, log)";

        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < faults.Count; i++)
        {
            var fault = faults[i];
            var span = plot.Add.HorizontalSpan(fault.StartSeconds, Math.Max(fault.EndSeconds, fault.StartSeconds + 0.2), palette.GetColor(i + 3).WithAlpha(0.18));
            span.LegendText = "";
            var label = plot.Add.Text(fault.Name, fault.StartSeconds, 0);
            label.LabelFontSize = 12;
            label.LabelRotation = -90;
            label.LabelAlignment = Alignment.LowerLeft;
            label.LabelFontColor = palette.GetColor(i + 3).Darken(0.4);
        }

        var xs = seconds.Select(s => s.Second).ToArray();
        var accepted = plot.Add.ScatterLine(xs, seconds.Select(s => (double)s.Accepted).ToArray(), Colors.SteelBlue);
        accepted.LegendText = "accepted/s";
        accepted.LineWidth = 2;

        AddLatency(plot, seconds, s => s.P50Ms, "create-to-outcome p50", Colors.SeaGreen);
        AddLatency(plot, seconds, s => s.P99Ms, "create-to-outcome p99", Colors.OrangeRed);

        // Log scale for the latency: seconds-long outages beside tens of milliseconds.
        plot.Axes.Right.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => Math.Pow(10, y).ToString("0.#"),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Axes.SetLimitsY(0, Math.Max(1, seconds.Count == 0 ? 1 : seconds.Max(s => s.Accepted)) * 1.15, plot.Axes.Left);
        plot.ShowLegend(Alignment.UpperRight);
        // The labels sit at y = 0 of the left axis: at the bottom of each window.
        return plot;
    }

    private static void AddLatency(Plot plot, IReadOnlyList<TimelineSecond> seconds, Func<TimelineSecond, double?> value, string name, Color color)
    {
        var points = seconds.Where(s => value(s) is > 0).ToArray();
        if (points.Length == 0) return;
        var line = plot.Add.ScatterLine(points.Select(s => s.Second).ToArray(), points.Select(s => Math.Log10(value(s)!.Value)).ToArray(), color);
        line.Axes.YAxis = plot.Axes.Right;
        line.LegendText = name;
        line.LineWidth = 1.5f;
    }

    /// <summary>The shaded fault windows of a timeline (for a test to read back from the plot model).</summary>
    public static IReadOnlyList<(string Name, double Start, double End)> Windows(Plot plot)
    {
        var labels = plot.GetPlottables().OfType<Text>().ToList();
        return [.. plot.GetPlottables().OfType<HorizontalSpan>().Select(span =>
            (labels.FirstOrDefault(l => l.Location.X == span.X1)?.LabelText ?? "", span.X1, span.X2))];
    }
}
