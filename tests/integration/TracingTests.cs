using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// One trace follows a request from the POST through the relay, the scheduler, tpas-stub and back to
/// the outcome. The services run in this process, so a listener sees every span they start.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TracingTests(ApiFixture api)
{
    [Fact]
    public async Task A_request_is_one_trace_from_post_to_outcome()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (activity.TraceId == traceId) spans.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);

        var client = api.Sandbox.ClientWithKey(AcmeKey);
        var request = new HttpRequestMessage(HttpMethod.Post, HttpAssertions.ProductionTests(AcmeBank)) { Content = JsonContent.Create(new { title = "Traced" }) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var id = (await (await client.SendAsync(request)).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await SchedulingTests.WaitForStatusAsync(client, AcmeBank, id, "scheduled");

        bool Has(Func<Activity, bool> span) => spans.Any(span);
        await Eventually.HoldsAsync(() => Task.FromResult(
                Has(a => a.Source.Name == "ProductionTests" && a.DisplayName == "relay ChallengeRequested")
                && Has(a => a.Source.Name == "System.Net.Http" && (a.GetTagItem("url.full")?.ToString() ?? "").Contains("/v1/challenges"))
                // tpas-stub's side of that call, a child of the scheduler's client span.
                && Has(server => server.Kind == ActivityKind.Server && Has(call => call.Source.Name == "System.Net.Http"
                    && (call.GetTagItem("url.full")?.ToString() ?? "").Contains("/v1/challenges") && server.ParentSpanId == call.SpanId))
                && Has(a => a.Source.Name == "MassTransit" && a.DisplayName.Contains("requests-api-challenge-outcomes"))),
            TimeSpan.FromSeconds(20),
            $"the whole trace; seen so far: {string.Join(", ", spans.Select(s => $"{s.Source.Name}/{s.DisplayName}").Distinct())}");
    }
}
