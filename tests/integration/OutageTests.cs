using System.Net;
using JasperFx.Events;
using Marten;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>Nothing accepted is lost: each test runs a platform of its own so it can break it.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task With_the_broker_unreachable_a_POST_still_gets_201_and_is_scheduled_once_the_broker_is_back()
    {
        TcpProxy? proxy = null;
        await using var platform = await TestPlatform.StartAsync(apiBroker: p =>
        {
            var (host, port) = p.Broker.Broker.AmqpEndpoint;
            proxy = new TcpProxy(host, port);
            return new UriBuilder(p.Broker.ConnectionString) { Port = proxy.Port }.Uri.ToString();
        });
        await using var _ = proxy!;
        var acme = platform.Sandbox.ClientWithKey(AcmeKey);

        proxy!.Down();
        var created = await acme.CreateProductionTest(AcmeBank, new { title = "Broker away" });
        var id = (await created.ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        // Readiness says the broker is away, as Degraded: the instance stays in rotation (200), creates still work.
        await Eventually.HoldsAsync(async () => (await HttpAssertions.ReadinessAsync(acme)).StartsWith("Degraded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "readiness to report the broker away");
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync("/health/ready")).StatusCode);
        Assert.Equal("pending", (await SchedulingTests.GetAsync(acme, AcmeBank, id)).GetProperty("status").GetString());

        proxy.Up();

        await SchedulingTests.WaitForStatusAsync(acme, AcmeBank, id, "scheduled");
        var booked = await platform.StubBookingsAsync(id);
        Assert.Equal(1, booked.Challenges);
        Assert.Equal(1, booked.Answered(201));
        await Eventually.HoldsAsync(async () => await HttpAssertions.ReadinessAsync(acme) == "Healthy",
            TimeSpan.FromSeconds(20), "readiness to recover with the broker");
    }

    [Fact]
    public async Task A_request_committed_by_an_api_that_stopped_before_publishing_is_scheduled_when_an_api_starts_again()
    {
        // The sandbox API of this platform never publishes: it stands for an API that crashed right after the commit.
        await using var platform = await TestPlatform.StartAsync(relay: false);
        var crashed = platform.Sandbox.ClientWithKey(AcmeKey);
        var id = (await (await crashed.CreateProductionTest(AcmeBank, new { title = "Crash before publish" })).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("pending", (await SchedulingTests.GetAsync(crashed, AcmeBank, id)).GetProperty("status").GetString());

        var restarted = platform.NewApi(relay: true);

        await SchedulingTests.WaitForStatusAsync(restarted.ClientWithKey(AcmeKey), AcmeBank, id, "scheduled");
        var booked = await platform.StubBookingsAsync(id);
        Assert.Equal(1, booked.Challenges);
        Assert.Equal(1, booked.Answered(201));
    }

    [Fact]
    public async Task The_relay_added_to_a_store_with_history_starts_from_the_present()
    {
        var old = $"req_{Guid.NewGuid()}";
        await using var platform = await TestPlatform.StartAsync(history: async connectionString =>
        {
            // Written with a bare store, as by a release that had no relay yet.
            await using var store = DocumentStore.For(o =>
            {
                o.Connection(connectionString);
                o.DatabaseSchemaName = ProductionTests.RequestsApi.Infrastructure.EventStoreSetup.Schema;
                o.Events.StreamIdentity = StreamIdentity.AsString;
            });
            await using var session = store.LightweightSession();
            session.Events.StartStream(old, new ChallengeRequested(old, AcmeBank, "ws_acme",
                new ChallengePayload("Old", null, ["bankidse"], 3, null, false, "Acme Bank"), DateTimeOffset.UtcNow.AddDays(-1)));
            await session.SaveChangesAsync();
        });
        var acme = platform.Sandbox.ClientWithKey(AcmeKey);

        var id = (await (await acme.CreateProductionTest(AcmeBank, new { title = "New" })).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await SchedulingTests.WaitForStatusAsync(acme, AcmeBank, id, "scheduled");
        await platform.WaitForQueuesToDrainAsync();

        // Not even a call: the old request was never published, so the scheduler never asked for it.
        Assert.Equal(0, (await platform.StubBookingsAsync(old)).Calls);
    }
}
