using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ProductionTests.Benchmark;

/// <summary>One kind of list request under closed-loop load: the client's figures, the bytes per answer and the CPU.</summary>
public sealed record ListLoad(string Name, string Query, int Connections, LoadFigures Figures, double BytesPerAnswer, string? Cpu);

/// <summary>Phase 6: the list of an app with --list-requests requests (bulk-filled): whole, a page, a filtered page, a deep page, a 304.</summary>
public sealed record ListPhaseResult(string ClientId, long Requests, FillFigures Fill, IReadOnlyList<ListLoad> Loads);

/// <summary>
/// Phase 6 (issue 21): what a poller of the list costs. The app is Acme Shop (AcS7hop2), which no other phase
/// creates for, so its list holds exactly the filled requests (and the template). Each load is a closed loop like
/// phase 2's; an answer counts when it has the expected status (200, or 304 for the revalidation).
/// </summary>
public sealed class ListPhase(BenchmarkOptions options, Uri api, CpuAccounting cpu, SuiteLog log)
{
    public const string ClientId = "AcS7hop2";
    public const string Name = "6 list";
    private static readonly string ListPath = $"connect/v1/apps/{ClientId}/production-tests";

    public async Task<IReadOnlyList<ListLoad>> RunAsync(CancellationToken ct)
    {
        using var http = Requests.Client(api, Math.Max(options.Connections, options.ListFullConnections));
        // The whole list of 100,000 requests is tens of megabytes built in one answer: more than the 30 s of the other phases' client.
        http.Timeout = TimeSpan.FromMinutes(5);
        var (etag, wholeBytes) = await WholeListAsync(http, ct);
        log.Info($"{Name}: the whole list is {wholeBytes / 1e6:0.0} MB, ETag {etag}");
        var deep = await CursorAtAsync(http, options.ListRequests / 2, ct);

        var loads = new List<ListLoad>
        {
            await LoadAsync(http, "whole list (no parameters)", "", options.ListFullConnections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, "page of 50", "?limit=50", options.Connections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, "filtered page of 50 (type=challenge)", "?type=challenge&limit=50", options.Connections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, $"page of 50 after {options.ListRequests / 2} items", $"?limit=50&after={deep}", options.Connections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, "304 revalidation of the whole list", "", options.Connections, HttpStatusCode.NotModified, etag, ct),
        };
        return loads;
    }

    private async Task<ListLoad> LoadAsync(HttpClient http, string name, string query, int connections, HttpStatusCode expected, string? etag, CancellationToken ct)
    {
        log.Info($"{Name}: {name}, GET {ListPath}{query}, {connections} connections, {options.WarmUp.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s");
        long bytes = 0, answers = 0;
        var (figures, window) = await cpu.DuringAsync($"{Name}: {name}", options.WarmUp, options.Duration, () => RunLoopAsync(http, connections, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, ListPath + query);
            request.Headers.Authorization = DemoApi.Authorization;
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            return request;
        }, expected, b => { Interlocked.Add(ref bytes, b); Interlocked.Increment(ref answers); }, ct), f => f.Succeeded, ct);
        var load = new ListLoad(name, query, connections, figures with { Cpu = window }, answers > 0 ? (double)bytes / answers : 0, window.Summary());
        log.Info($"{Name}: {name}: {figures.RequestsPerSecond:0} requests/s, p50 {figures.Latency.P50Ms:0.00} / p99 {figures.Latency.P99Ms:0.00} ms, " +
                 $"{load.BytesPerAnswer:0} bytes per answer, errors {figures.Errors}");
        return load;
    }

    /// <summary>A closed loop as <see cref="ClosedLoop"/>'s, counting an answer with the expected status (and its body's bytes).</summary>
    private async Task<LoadFigures> RunLoopAsync(HttpClient http, int connections, Func<HttpRequestMessage> next, HttpStatusCode expected,
        Action<long> answered, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var end = options.WarmUp + options.Duration;
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var samples = new List<(double End, double Ms, string? Error)>(4096);
            while (clock.Elapsed < end && !ct.IsCancellationRequested)
            {
                var started = clock.Elapsed;
                string? error = null;
                try
                {
                    using var request = next();
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    var body = await response.Content.ReadAsByteArrayAsync(ct);
                    if (response.StatusCode != expected) error = $"HTTP {(int)response.StatusCode}";
                    else if (clock.Elapsed >= options.WarmUp) answered(body.Length);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    error = Requests.ErrorKind(e);
                    await Task.Delay(10, ct);
                }
                var finished = clock.Elapsed;
                samples.Add((finished.TotalSeconds, (finished - started).TotalMilliseconds, error));
            }
            return samples;
        }, CancellationToken.None)).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(s => s).Where(s => s.End >= options.WarmUp.TotalSeconds && s.End < end.TotalSeconds).ToList();
        ct.ThrowIfCancellationRequested();
        var errors = all.Where(s => s.Error is not null).GroupBy(s => s.Error!).ToDictionary(g => g.Key, g => (long)g.Count());
        var succeeded = all.Count(s => s.Error is null);
        return new LoadFigures(options.Duration.TotalSeconds, all.Count, succeeded, all.Count - succeeded, succeeded / options.Duration.TotalSeconds,
            LatencySummary.Of(all.Select(s => s.Ms)), errors);
    }

    private static async Task<(string ETag, long Bytes)> WholeListAsync(HttpClient http, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ListPath);
        request.Headers.Authorization = DemoApi.Authorization;
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK || response.Headers.ETag is null)
            throw new SetupException($"GET {ListPath} answered {(int)response.StatusCode} without an ETag.");
        return (response.Headers.ETag.ToString(), body.Length);
    }

    /// <summary>The cursor after about <paramref name="items"/> items, by following next links 200 at a time.</summary>
    private static async Task<string> CursorAtAsync(HttpClient http, long items, CancellationToken ct)
    {
        string? next = $"{ListPath}?limit=200";
        string? cursor = null;
        for (long seen = 0; seen < items && next is not null;)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Authorization = DemoApi.Authorization;
            using var response = await http.SendAsync(request, ct);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            seen += page.RootElement.GetArrayLength();
            next = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('>')[0].TrimStart('<').TrimStart('/') : null;
            if (next is not null) cursor = System.Web.HttpUtility.ParseQueryString(next[next.IndexOf('?')..])["after"];
        }
        return cursor ?? throw new SetupException($"The list of {ClientId} has no next page: was it filled?");
    }
}
