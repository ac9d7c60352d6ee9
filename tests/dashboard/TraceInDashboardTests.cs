using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using ProductionTests.DashboardTests.Infrastructure;
using ProductionTests.Tools;

namespace ProductionTests.DashboardTests;

/// <summary>
/// A create's whole story in one trace, found through the dashboard run.sh starts: its telemetry API for the
/// precise check (<see cref="TraceStory"/>), and its trace page in a real browser (Debian's chromium), saved
/// as a screenshot under .data/dashboard-tests/. And the same check failing when the relay drops the context.
/// </summary>
public sealed class TraceInDashboardTests(TracedSystem system) : IClassFixture<TracedSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_create_is_one_trace_in_the_dashboard_from_post_to_the_woken_waiter()
    {
        // tpas-backend fails the first calls, so the trace shows a retried attempt.
        await SetStubFaultsAsync(new { errorRate = 1.0 });
        var (traceId, id, location) = await CreateAsync("Traced in the dashboard");
        await Eventually.GetAsync(() => system.Traces.TraceAsync(traceId), t => t.Count(s => s.Name == "schedule challenge") >= 2, Patience,
            t => $"no second scheduling attempt in trace {traceId}; seen: {Names(t)}");

        // Someone waits for the outcome; then tpas-backend answers and the outcome's NOTIFY wakes them.
        var waiting = WaitForOutcomeAsync(location);
        await SetStubFaultsAsync(new { });
        Assert.Equal("scheduled", await waiting);

        var trace = await Eventually.GetAsync(() => system.Traces.TraceAsync(traceId), t => TraceStory.Missing(t, id, attempts: 2).Count == 0, Patience,
            t => $"trace {traceId} lacks: {string.Join("; ", TraceStory.Missing(t, id, 2))}; seen: {Names(t)}");
        await File.WriteAllTextAsync(Path.Combine(system.Artifacts, $"trace-{traceId}.json"), JsonSerializer.Serialize(trace, new JsonSerializerOptions { WriteIndented = true }));
        Assert.Contains(trace, s => s.Name == "schedule challenge" && s.IsError && s.Attribute("production_tests.attempt") == "1");
        Assert.Contains(trace, s => s.Name == "schedule challenge" && !s.IsError && s.Attribute("production_tests.challenge_id") is not null);

        // The same trace, as a person sees it.
        var page = await BrowseTraceAsync(traceId, "outcome waiters woken");
        foreach (var name in new[] { "create commit", "relay ChallengeRequested", "schedule challenge", "outcome append commit", "outcome waiters woken" })
            Assert.True(await page.Text.Locator.GetByText(name).CountAsync() > 0, $"the dashboard's page of trace {traceId} does not show '{name}'");
        Assert.True(new FileInfo(page.Screenshot).Length > 10_000, $"{page.Screenshot} is (nearly) empty");
        await page.DisposeAsync();
    }

    [Fact]
    public async Task A_refused_request_shows_the_refusal_reason_in_its_trace()
    {
        const string title = "Refused in the dashboard";
        await SetStubFaultsAsync(new { refuseTitles = new[] { title } });
        try
        {
            var (traceId, id, location) = await CreateAsync(title);
            Assert.Equal("failed", await WaitForOutcomeAsync(location));
            var trace = await Eventually.GetAsync(() => system.Traces.TraceAsync(traceId),
                t => t.Any(s => s.Name == "outcome append commit") && t.Any(s => s.Name == "schedule challenge"), Patience,
                t => $"trace {traceId} never showed the failed outcome's append; seen: {Names(t)}");

            var attempt = Assert.Single(trace, s => s.Name == "schedule challenge");
            Assert.True(attempt.IsError, "the refused attempt is not an error span");
            Assert.Contains(title, attempt.Attribute("production_tests.failure.reason"));
            Assert.Contains(title, attempt.StatusMessage);
            Assert.Contains(trace, s => s.Service == "requests-api" && s.Kind == "consumer"
                && s.Attribute("production_tests.outcome") == "failed" && (s.Attribute("production_tests.failure.reason") ?? "").Contains(title, StringComparison.Ordinal));
            Assert.DoesNotContain(TraceStory.Missing(trace, id, attempts: 1), m => m.StartsWith("request id", StringComparison.Ordinal));
        }
        finally
        {
            await SetStubFaultsAsync(new { });
        }
    }

    [Fact]
    public async Task The_check_fails_when_the_relay_drops_the_trace_context()
    {
        await RestartApiAsync(new Dictionary<string, string> { ["Relay__DropTraceContext"] = "true" });
        try
        {
            var (traceId, id, location) = await CreateAsync("Relayed without its trace");
            Assert.Equal("scheduled", await WaitForOutcomeAsync(location));

            // The request's relay publish and everything after it arrive, in a trace of their own...
            var elsewhere = await Eventually.GetAsync(() => RelayedTraceAsync(id), t => t is not null && t.Any(s => s.Name == "outcome append commit"), Patience,
                _ => $"the relay's trace of {id} never showed its outcome");
            Assert.NotEqual(traceId, elsewhere![0].TraceId);

            // ...so the create's own trace stops at the commit, and the check says which hops are gone.
            var trace = await Eventually.GetAsync(() => system.Traces.TraceAsync(traceId), t => t.Any(s => s.Name == "create commit"), Patience,
                t => $"trace {traceId} never showed its commit; seen: {Names(t)}");
            var missing = TraceStory.Missing(trace, id, attempts: 1);
            Assert.Contains("relay publish", missing);
            Assert.Contains("scheduler consumes it (consumer)", missing);
            Assert.Contains("outcome append, linked to its batch", missing);
        }
        finally
        {
            await RestartApiAsync(new Dictionary<string, string>());
        }
    }

    private async Task<(string TraceId, string RequestId, Uri Location)> CreateAsync(string title)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, DemoApi.CreatePath) { Content = JsonContent.Create(new { title }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await system.Api.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var json = JsonDocument.Parse(body);
        return (traceId, json.RootElement.GetProperty("id").GetString()!, response.Headers.Location!);
    }

    private async Task<string?> WaitForOutcomeAsync(Uri location)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, location);
        request.Headers.Add("Prefer", "wait=30");
        using var response = await system.Api.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("status").GetString();
    }

    private async Task SetStubFaultsAsync(object knobs) =>
        (await system.Stub.PutAsJsonAsync("admin/faults", knobs)).EnsureSuccessStatusCode();

    /// <summary>The trace that holds the relay's publish of this request, wherever it is.</summary>
    private async Task<IReadOnlyList<Span>?> RelayedTraceAsync(string requestId)
    {
        var relay = (await AllSpansAsync()).FirstOrDefault(s => s.Name == "relay ChallengeRequested" && s.Attribute("production_tests.request_id") == requestId);
        return relay is null ? null : await system.Traces.TraceAsync(relay.TraceId);
    }

    private async Task<IReadOnlyList<Span>> AllSpansAsync()
    {
        using var json = JsonDocument.Parse(await system.Control.GetStringAsync(new Uri(system.Dashboard.Url, "api/telemetry/spans")));
        return DashboardTraces.Parse(json.RootElement);
    }

    private async Task RestartApiAsync(IReadOnlyDictionary<string, string> settings)
    {
        system.System.Api.Kill("restart with other settings");
        system.System.Api.Start(settings);
        await system.System.Api.WaitReadyAsync(system.Control, TimeSpan.FromSeconds(90), CancellationToken.None);
    }

    /// <summary>Opens the trace's page in chromium, waits for <paramref name="lastSpan"/> to show, and saves a screenshot.</summary>
    private async Task<BrowsedTrace> BrowseTraceAsync(string traceId, string lastSpan)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        await page.GotoAsync(new Uri(system.Dashboard.Url, $"traces/detail/{traceId}").ToString());
        await page.GetByText(lastSpan).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        var screenshot = Path.Combine(system.Artifacts, $"trace-{traceId}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        return new BrowsedTrace(playwright, browser, new PageText(page), screenshot);
    }

    private static string Names(IEnumerable<Span> trace) => string.Join(", ", trace.Select(s => s.ToString()));

    private sealed record PageText(IPage Locator);

    private sealed record BrowsedTrace(IPlaywright Playwright, IBrowser Browser, PageText Text, string Screenshot) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Browser.DisposeAsync();
            Playwright.Dispose();
        }
    }
}
