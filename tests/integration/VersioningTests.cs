using System.Net;
using JasperFx.Events;
using Marten;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Events;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>Events are history: a stream written by version 1 still loads, projects and reads through the API.</summary>
public sealed class VersioningTests : IAsyncLifetime
{
    private TestPlatform _platform = null!;

    // The relay is off: the old stream is history, not something to schedule now.
    public async Task InitializeAsync() => _platform = await TestPlatform.StartAsync(relay: false);
    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task A_version_1_ChallengeFailed_is_upcast_projected_and_listed()
    {
        var id = $"req_{Guid.NewGuid()}";
        await WriteAsVersion1Async(id);

        await using (var session = _platform.Store.QuerySession())
        {
            var events = await session.Events.FetchStreamAsync(id);
            Assert.Equal("challenge_failed", events[1].EventTypeName);
            var failed = Assert.IsType<ChallengeFailed>(events[1].Data);
            Assert.Equal("CHALLENGE_REFUSED", failed.ReasonCode);
            Assert.False(failed.Retryable);
        }

        // Version 1 wrote no view: rebuilding projects the old events through the current projection.
        var (exitCode, output) = await OpsCommand.RunAsync(_platform, "rebuild-views", "--stream", id);
        Assert.True(exitCode == 0, output);

        var client = _platform.Sandbox.ClientWithKey(AcmeKey);
        var request = await SchedulingTests.GetAsync(client, AcmeBank, id);
        Assert.Equal("failed", request.GetProperty("status").GetString());
        Assert.Equal("CHALLENGE_REFUSED", request.GetProperty("failure").GetProperty("reasonCode").GetString());
        Assert.False(request.GetProperty("failure").GetProperty("retryable").GetBoolean());

        var history = await (await client.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/{id}/events")).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(["challenge_requested", "challenge_failed"], history.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.False(history[1].GetProperty("data").GetProperty("retryable").GetBoolean());
    }

    [Fact]
    public async Task A_new_ChallengeFailed_is_stored_as_version_2()
    {
        var client = _platform.Sandbox.ClientWithKey(AcmeKey);
        var id = (await (await client.CreateProductionTest(AcmeBank, new { title = "v2" })).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await using (var session = _platform.Store.LightweightSession())
        {
            session.Events.Append(id, new ChallengeFailed(id, AcmeBank, "ws_acme", "QUOTA", "try later", DateTimeOffset.UtcNow, Retryable: true));
            await session.SaveChangesAsync();
        }

        var history = await (await client.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/{id}/events")).ShouldBeJson(HttpStatusCode.OK);

        Assert.Equal(["challenge_requested", "challenge_failed_v2"], history.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.True(history[1].GetProperty("data").GetProperty("retryable").GetBoolean());
        Assert.True((await SchedulingTests.GetAsync(client, AcmeBank, id)).GetProperty("failure").GetProperty("retryable").GetBoolean());
    }

    /// <summary>Writes a stream the way version 1 did: ChallengeFailed without Retryable, stored as challenge_failed, no views.</summary>
    private async Task WriteAsVersion1Async(string id)
    {
        await using var store = DocumentStore.For(o =>
        {
            o.Connection(_platform.ConnectionString);
            o.DatabaseSchemaName = EventStoreSetup.Schema;
            o.Events.StreamIdentity = StreamIdentity.AsString;
            o.Events.MapEventType<ChallengeFailedV1>(ChallengeFailedV1.EventTypeName);
            // Write into the schema the platform made; this store must not reshape it.
            o.Events.MetadataConfig.HeadersEnabled = true;
            o.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
        });
        await using var session = store.LightweightSession();
        session.Events.StartStream(id,
            new ChallengeRequested(id, AcmeBank, "ws_acme", new ChallengePayload("Old", null, ["bankidse"], 3, null, false, "Acme Bank"), DateTimeOffset.UtcNow.AddDays(-30)),
            new ChallengeFailedV1(id, AcmeBank, "ws_acme", "CHALLENGE_REFUSED", "Refused long ago", DateTimeOffset.UtcNow.AddDays(-30)));
        await session.SaveChangesAsync();
    }
}
