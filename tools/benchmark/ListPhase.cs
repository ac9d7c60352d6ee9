using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ProductionTests.Benchmark;

/// <summary>One kind of list request under closed-loop load: the client's figures, the bytes per answer and the CPU.</summary>
/// <param name="Floor">Not the API: the same answer from tools/benchmark-baseline, with nothing behind it.</param>
public sealed record ListLoad(string Name, string Query, int Connections, LoadFigures Figures, double BytesPerAnswer, string? Cpu, bool Floor = false);

/// <summary>Phase 6: the list of an app with --list-requests requests (bulk-filled): whole, a page, a filtered page, a deep page, a 304.</summary>
public sealed record ListPhaseResult(string ClientId, long Requests, FillFigures Fill, IReadOnlyList<ListLoad> Loads);

/// <summary>
/// Phase 6 (issue 21): what a poller of the list costs. The app is Acme Shop (AcS7hop2), which no other phase
/// creates for, so its list holds exactly the filled requests (and the template). Each load is a closed loop like
/// phase 2's; an answer counts when it has the expected status (200, or 304 for the revalidation). First, the floor:
/// a 304 and a page's bytes answered by tools/benchmark-baseline from memory, with the same Kestrel, client and
/// connections: what this machine can do for such answers at all, the baseline the list's figures are read against.
/// </summary>
public sealed class ListPhase(BenchmarkOptions options, Uri api, Uri floor, CpuAccounting cpu, SuiteLog log)
{
    public const string ClientId = "AcS7hop2";
    public const string Name = "6 list";
    private static readonly string ListPath = $"connect/v1/apps/{ClientId}/production-tests";
    public const string FloorPath = "list-floor";
    public const string FloorETag = "\"floor\"";

    public async Task<IReadOnlyList<ListLoad>> RunAsync(CancellationToken ct)
    {
        using var http = Requests.Client(api, Math.Max(options.Connections, options.ListFullConnections));
        // The whole list of 100,000 requests is tens of megabytes built in one answer: more than the 30 s of the other phases' client.
        http.Timeout = TimeSpan.FromMinutes(5);
        using var bare = Requests.Client(floor, options.Connections);
        var (etag, wholeBytes) = await WholeListAsync(http, ct);
        log.Info($"{Name}: the whole list is {wholeBytes / 1e6:0.0} MB, ETag {etag}");
        var deep = await CursorAtAsync(http, options.ListRequests / 2, ct);
        var pageBytes = await PageBytesAsync(http, ct);

        return
        [
            await LoadAsync(bare, FloorPath, "floor: 304 with nothing behind it", "", options.Connections, HttpStatusCode.NotModified, FloorETag, ct, floor: true),
            await LoadAsync(bare, FloorPath, $"floor: {pageBytes} bytes from memory", $"?bytes={pageBytes}", options.Connections, HttpStatusCode.OK, null, ct, floor: true),
            await LoadAsync(http, ListPath, "whole list (no parameters)", "", options.ListFullConnections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, ListPath, "page of 50", "?limit=50", options.Connections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, ListPath, "filtered page of 50 (type=challenge)", "?type=challenge&limit=50", options.Connections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, ListPath, $"page of 50 after {options.ListRequests / 2} items", $"?limit=50&after={deep}", options.Connections, HttpStatusCode.OK, null, ct),
            await LoadAsync(http, ListPath, "304 revalidation of the whole list", "", options.Connections, HttpStatusCode.NotModified, etag, ct),
        ];
    }

    private async Task<ListLoad> LoadAsync(HttpClient http, string path, string name, string query, int connections, HttpStatusCode expected, string? etag,
        CancellationToken ct, bool floor = false)
    {
        log.Info($"{Name}: {name}, GET {path}{query}, {connections} connections, {options.WarmUp.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s");
        long bytes = 0, answers = 0;
        var (figures, window) = await cpu.DuringAsync($"{Name}: {name}", options.WarmUp, options.Duration, () => ClosedLoop.RunAsync(http, connections, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path + query);
            request.Headers.Authorization = DemoApi.Authorization;
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            return request;
        }, options.WarmUp, options.Duration, ct, async response =>
        {
            if (response.StatusCode != expected) return $"HTTP {(int)response.StatusCode}";
            Interlocked.Add(ref bytes, (await response.Content.ReadAsByteArrayAsync(ct)).Length);
            Interlocked.Increment(ref answers);
            return null;
        }), f => f.Succeeded, ct);
        var load = new ListLoad(name, query, connections, figures with { Cpu = window }, answers > 0 ? (double)bytes / answers : 0, window.Summary(), floor);
        log.Info($"{Name}: {name}: {figures.RequestsPerSecond:0} requests/s, p50 {figures.Latency.P50Ms:0.00} / p99 {figures.Latency.P99Ms:0.00} ms, " +
                 $"{load.BytesPerAnswer:0} bytes per answer, errors {figures.Errors}");
        return load;
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

    private static async Task<int> PageBytesAsync(HttpClient http, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{ListPath}?limit=50");
        request.Headers.Authorization = DemoApi.Authorization;
        using var response = await http.SendAsync(request, ct);
        return (await response.Content.ReadAsByteArrayAsync(ct)).Length;
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
