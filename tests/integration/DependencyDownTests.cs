using System.Net;
using Microsoft.AspNetCore.Hosting;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>With PostgreSQL unreachable the API says so (503, Retry-After) at once, never 500, never a hang.</summary>
public sealed class DependencyDownTests : IAsyncLifetime
{
    // Nothing listens on port 1: connections are refused at once.
    private readonly ApiFactory _api = new UnreachableDatabaseFactory();

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    public async Task Requests_get_503_provider_unavailable_with_retry_after(string method)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), HttpAssertions.ProductionTests(AcmeBank));
        if (method == "POST") request.Content = new StringContent("{\"title\":\"down\"}", System.Text.Encoding.UTF8, "application/json");
        var (traceParent, traceId) = HttpAssertions.NewTrace();
        request.Headers.Add("traceparent", traceParent);

        var response = await _api.ClientWithKey(AcmeKey).SendAsync(request);

        var problem = await response.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "PROVIDER_UNAVAILABLE");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(traceId, problem.GetProperty("traceId").GetString()); // written by the exception handler
    }

    [Fact]
    public async Task Readiness_fails_while_liveness_holds()
    {
        var client = _api.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _api.DisposeAsync();

    private sealed class UnreachableDatabaseFactory() : ApiFactory("Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=3", "sandbox", "amqp://guest:guest@127.0.0.1:1/")
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("EventStore:ApplySchemaOnStartup", "false");
        }
    }
}
