using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.IntegrationTests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>The body of <c>/health/ready</c> whatever its status: "Healthy", "Degraded ..." or "Unhealthy ...".</summary>
    public static async Task<string> ReadinessAsync(HttpClient client) => await (await client.GetAsync("/health/ready")).Content.ReadAsStringAsync();

    /// <summary>Asserts the contract's problem+json shape, status and code; returns the problem.</summary>
    public static async Task<JsonElement> ShouldBeProblem(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:production-tests:error:", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.StartsWith("/", problem.GetProperty("instance").GetString());
        Assert.True(DateTimeOffset.TryParse(problem.GetProperty("timestamp").GetString(), out _));
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        return problem;
    }

    /// <summary>A fresh W3C <c>traceparent</c> header value and the trace id it carries.</summary>
    public static (string TraceParent, string TraceId) NewTrace()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        return ($"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01", traceId);
    }

    public static async Task<JsonElement> ShouldBeJson(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> CreateProductionTest(this HttpClient client, string clientId, object body) =>
        client.PostAsJsonAsync($"/connect/v1/apps/{clientId}/production-tests", body);

    public static string ProductionTests(string clientId) => $"/connect/v1/apps/{clientId}/production-tests";

    /// <summary>How many challenge requests the store holds: used to show a refusal wrote nothing.</summary>
    public static async Task<int> CountRequests(this IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return await session.Query<ChallengeRequestView>().CountAsync();
    }
}
