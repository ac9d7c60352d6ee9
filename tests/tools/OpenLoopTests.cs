using ProductionTests.Benchmark;

namespace ProductionTests.ToolTests;

/// <summary>
/// The open-loop figures: throughput counts what was answered inside the measured window; latency is
/// counted from the due time over the requests due in it; errors over the requests due in it.
/// </summary>
public sealed class OpenLoopTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Throughput_counts_successes_answered_inside_the_measured_window_over_its_length()
    {
        // Warm-up 1 s, measured 2 s: the window is [1, 3).
        var run = Run(
            Answered(0.5, 0.6),                // warm-up, answered in the warm-up
            Answered(0.9, 1.2),                // due in the warm-up, answered in the window: counts for throughput
            Answered(1.0, 1.1),
            Answered(2.0, 2.5, error: "HTTP 503"),
            Answered(2.9, 3.4));               // answered after the window: not in throughput

        var figures = OpenLoop.Figures(run);

        Assert.Equal(3, figures.Completed);
        Assert.Equal(2, figures.Succeeded);
        Assert.Equal(1.0, figures.RequestsPerSecond);
    }

    [Fact]
    public void Latency_is_from_the_due_time_over_the_measured_requests_only()
    {
        var run = Run(
            Answered(0.5, 5.5),                // warm-up: 5000 ms, not measured
            Answered(1.0, 1.1),                // 100 ms
            Answered(2.0, 2.3));               // 300 ms

        var figures = OpenLoop.Figures(run);

        Assert.Equal(2, figures.Latency.Count);
        Assert.Equal(300, figures.Latency.MaxMs, precision: 6);
        Assert.Equal(100, figures.Latency.P50Ms, precision: 6);
    }

    [Fact]
    public void Errors_are_counted_by_kind_over_the_measured_requests_whenever_they_were_answered()
    {
        var run = Run(
            Answered(0.5, 0.6, error: "HTTP 500"),       // warm-up: not counted
            Answered(1.5, 1.6, error: "HTTP 503"),
            Answered(2.5, 9.0, error: "timeout"),         // answered after the window: still an error of the phase
            Answered(2.6, 2.7, error: "HTTP 503"));

        var figures = OpenLoop.Figures(run);

        Assert.Equal(3, figures.Errors);
        Assert.Equal(2, figures.ErrorsByKind["HTTP 503"]);
        Assert.Equal(1, figures.ErrorsByKind["timeout"]);
        Assert.False(figures.ErrorsByKind.ContainsKey("HTTP 500"));
    }

    private static OpenLoop.Run Run(params OpenRequest[] requests) => new(requests, Start, Start.AddSeconds(3), WarmUpSeconds: 1, MeasuredSeconds: 2);

    private static OpenRequest Answered(double due, double answered, string? error = null) => new()
    {
        DueAt = Start.AddSeconds(due),
        DueSeconds = due,
        Measured = due >= 1,
        AnsweredSeconds = answered,
        LatencyMs = (answered - due) * 1000,
        RequestId = error is null ? $"req_{due}" : null,
        Error = error,
    };
}
