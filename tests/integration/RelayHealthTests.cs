using System.Net;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>Readiness tells when the relay falls behind: here it never runs, so a request waits forever.</summary>
public sealed class RelayHealthTests
{
    [Fact]
    public async Task Readiness_fails_when_a_request_waits_too_long_to_be_published()
    {
        await using var platform = await TestPlatform.StartAsync(relay: false);
        await using var api = new ConfiguredApi(platform, new() { ["Relay:MaxLagSeconds"] = "1" });
        var client = api.ClientWithKey(AcmeKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        (await client.CreateProductionTest(AcmeBank, new { title = "Never relayed" })).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(20), "readiness to report the relay behind");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
