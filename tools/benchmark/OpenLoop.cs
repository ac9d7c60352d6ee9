using System.Diagnostics;

namespace ProductionTests.Benchmark;

/// <summary>One request of an open-loop run.</summary>
public sealed class OpenRequest
{
    /// <summary>When it was due (start + i/rate) on the wall clock: its send time, also if the client ran late.</summary>
    public required DateTimeOffset DueAt { get; init; }
    public required double DueSeconds { get; init; }
    public required bool Measured { get; init; }
    public double? AnsweredSeconds { get; set; }
    public double? LatencyMs { get; set; }
    /// <summary>The created request's id (from the 201's Location), when it was accepted.</summary>
    public string? RequestId { get; set; }
    public string? Error { get; set; }
}

/// <summary>
/// Open loop: request i is sent at start + i/rate whatever became of the earlier ones (no retries), for
/// warm-up + measured time; requests due in the warm-up are not measured. Latency is counted from the
/// due time, so a client that falls behind does not hide the wait (coordinated omission).
/// </summary>
public static class OpenLoop
{
    public sealed record Run(IReadOnlyList<OpenRequest> Requests, DateTimeOffset StartedAt, DateTimeOffset SendingEndedAt, double WarmUpSeconds, double MeasuredSeconds);

    /// <param name="whenSent">Called once the last request has left, before waiting for the answers (to start measuring the backlog then).</param>
    public static async Task<Run> RunAsync(HttpClient http, double rate, Func<HttpRequestMessage> next, TimeSpan warmUp, TimeSpan measured,
        Action? whenSent, CancellationToken ct)
    {
        var total = (long)Math.Round(rate * (warmUp + measured).TotalSeconds);
        var requests = new List<OpenRequest>((int)Math.Min(total, 10_000_000));
        var inFlight = new List<Task>((int)Math.Min(total, 10_000_000));
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < total && !ct.IsCancellationRequested;)
        {
            // Everything due by now leaves now; then a short sleep (the timer's resolution is about 1 ms).
            var now = clock.Elapsed.TotalSeconds;
            while (i < total && i / rate <= now)
            {
                var due = i / rate;
                var request = new OpenRequest { DueAt = startedAt.AddSeconds(due), DueSeconds = due, Measured = due >= warmUp.TotalSeconds };
                requests.Add(request);
                inFlight.Add(SendAsync(http, next, request, clock, ct));
                i++;
            }
            if (i < total) await Task.Delay(1, ct);
        }
        var sendingEndedAt = DateTimeOffset.UtcNow;
        whenSent?.Invoke();
        await Task.WhenAll(inFlight);
        ct.ThrowIfCancellationRequested();
        return new Run(requests, startedAt, sendingEndedAt, warmUp.TotalSeconds, measured.TotalSeconds);
    }

    private static async Task SendAsync(HttpClient http, Func<HttpRequestMessage> next, OpenRequest record, Stopwatch clock, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            using var request = next();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            if ((int)response.StatusCode == 201 && response.Headers.Location is { } location)
                record.RequestId = location.OriginalString[(location.OriginalString.LastIndexOf('/') + 1)..];
            else
                record.Error = $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            record.Error = Requests.ErrorKind(e);
        }
        catch (OperationCanceledException)
        {
            record.Error = "interrupted";
            return;
        }
        var answered = clock.Elapsed.TotalSeconds;
        record.AnsweredSeconds = answered;
        record.LatencyMs = (answered - record.DueSeconds) * 1000;
    }

    /// <summary>The creates as a load phase: requests answered inside the measured window.</summary>
    public static LoadFigures Figures(Run run)
    {
        var windowStart = run.WarmUpSeconds;
        var windowEnd = run.WarmUpSeconds + run.MeasuredSeconds;
        var window = run.Requests.Where(r => r.AnsweredSeconds is { } a && a >= windowStart && a < windowEnd).ToList();
        var succeeded = window.Count(r => r.Error is null);
        var errors = run.Requests.Where(r => r.Measured && r.Error is not null).GroupBy(r => r.Error!).ToDictionary(g => g.Key, g => (long)g.Count());
        return new LoadFigures(run.MeasuredSeconds, window.Count, succeeded, errors.Values.Sum(),
            succeeded / run.MeasuredSeconds, LatencySummary.Of(run.Requests.Where(r => r.Measured && r.LatencyMs is not null).Select(r => r.LatencyMs!.Value)), errors);
    }
}
