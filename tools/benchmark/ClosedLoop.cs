using System.Diagnostics;

namespace ProductionTests.Benchmark;

/// <summary>
/// Closed loop: <c>connections</c> workers, each sending its next request as soon as the previous one is
/// answered, for warm-up + measured time. Throughput and latency count the requests completed inside
/// the measured window; a request is an error unless answered 2xx (or as the caller's judge says).
/// </summary>
public static class ClosedLoop
{
    private readonly record struct Sample(double EndSeconds, double LatencyMs, string? Error);

    /// <param name="judge">The error an answer counts as, or null when it is a success; without one, an answer is a success when 2xx.
    /// It may read the body (the answer is read whole before it is judged).</param>
    public static async Task<LoadFigures> RunAsync(HttpClient http, int connections, Func<HttpRequestMessage> next,
        TimeSpan warmUp, TimeSpan measured, CancellationToken ct, Func<HttpResponseMessage, Task<string?>>? judge = null)
    {
        judge ??= response => Task.FromResult(response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        var clock = Stopwatch.StartNew();
        var end = warmUp + measured;
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var samples = new List<Sample>(4096);
            while (clock.Elapsed < end && !ct.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                string? error = null;
                try
                {
                    using var request = next();
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    error = await judge(response);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    error = Requests.ErrorKind(e);
                    // A refused connection fails at once: do not spin.
                    await Task.Delay(10, ct);
                }
                var finished = clock.Elapsed;
                samples.Add(new Sample(finished.TotalSeconds, (finished - started).TotalMilliseconds, error));
            }
            return samples;
        }, CancellationToken.None)).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(s => s).ToList();
        ct.ThrowIfCancellationRequested();
        return Figures(all.Where(s => s.EndSeconds >= warmUp.TotalSeconds && s.EndSeconds < end.TotalSeconds).ToList(), measured);
    }

    private static LoadFigures Figures(IReadOnlyList<Sample> window, TimeSpan measured)
    {
        var errors = window.Where(s => s.Error is not null).GroupBy(s => s.Error!).ToDictionary(g => g.Key, g => (long)g.Count());
        var succeeded = window.Count(s => s.Error is null);
        return new LoadFigures(measured.TotalSeconds, window.Count, succeeded, window.Count - succeeded,
            succeeded / measured.TotalSeconds, LatencySummary.Of(window.Select(s => s.LatencyMs)), errors);
    }
}
