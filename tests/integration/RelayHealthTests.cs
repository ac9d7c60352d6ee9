using System.Net;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// Readiness tells when the relay falls behind (here it never runs, so a request waits forever), as Degraded: the
/// instance stays ready (200), since every instance reads the same lag and a load balancer must not take them all out.
/// </summary>
public sealed class RelayHealthTests
{
    [Fact]
    public async Task Readiness_reports_degraded_but_stays_ready_when_a_request_waits_too_long_to_be_published()
    {
        await using var platform = await TestPlatform.StartAsync(relay: false);
        await using var api = new ConfiguredApi(platform, new() { ["Relay:MaxLagSeconds"] = "1" });
        var client = api.ClientWithKey(AcmeKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        (await client.CreateProductionTest(AcmeBank, new { title = "Never relayed" })).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(async () => (await HttpAssertions.ReadinessAsync(client)).StartsWith("Degraded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "readiness to report the relay behind");
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("relay: Degraded", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
