using System.Net;
using System.Text.Json;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// The list's order and shape, with outcomes written by the test itself: this platform's relay is off,
/// so no scheduler outcome races with them.
/// </summary>
public sealed class ListProductionTestsTests : IAsyncLifetime
{
    private TestPlatform _platform = null!;

    public async Task InitializeAsync() => _platform = await TestPlatform.StartAsync(relay: false);
    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Fact]
    public async Task The_list_is_newest_first_with_requests_and_scheduled_challenges()
    {
        var tests = _platform.Sandbox.ClientWithKey(TestsKey);
        var ids = new List<string>();
        foreach (var title in new[] { "first", "second", "third", "fourth" })
        {
            var body = await (await tests.CreateProductionTest(ListApp, new { title })).ShouldBeJson(HttpStatusCode.Created);
            ids.Add(body.GetProperty("id").GetString()!);
        }
        var challenge = new ChallengeSnapshot("chl_123", "second", null, DateTimeOffset.Parse("2026-12-01T00:00:00Z"),
            DateTimeOffset.Parse("2026-11-26T10:00:00Z"), null, true, "first_come", "List Order", ["bankidse", "smartid"]);
        await AppendAsync(ids[1], new ChallengeScheduled(ids[1], ListApp, "ws_integration_tests", "chl_123", challenge, DateTimeOffset.UtcNow));
        await AppendAsync(ids[2], new ChallengeFailed(ids[2], ListApp, "ws_integration_tests", "CHALLENGE_REFUSED", "Refused by the backend", DateTimeOffset.UtcNow));

        var list = await (await tests.GetAsync(HttpAssertions.ProductionTests(ListApp))).ShouldBeJson(HttpStatusCode.OK);

        var items = list.EnumerateArray().ToList();
        Assert.Equal(Enumerable.Reverse(ids), items.Select(i => i.GetProperty("request").GetProperty("id").GetString()));
        Assert.Equal(["request", "request", "challenge", "request"], items.Select(i => i.GetProperty("type").GetString()));

        var scheduled = items[2];
        Assert.Equal("scheduled", scheduled.GetProperty("request").GetProperty("status").GetString());
        Assert.Equal("chl_123", scheduled.GetProperty("request").GetProperty("challengeId").GetString());
        var c = scheduled.GetProperty("challenge");
        Assert.Equal("chl_123", c.GetProperty("id").GetString());
        Assert.Equal("2026-12-01T00:00:00.000Z", c.GetProperty("expiresAt").GetString());
        Assert.False(c.TryGetProperty("completedAt", out _), "completedAt is left out while stamps remain");
        Assert.True(c.GetProperty("isActive").GetBoolean());
        Assert.Equal("first_come", c.GetProperty("challengeMode").GetString());
        Assert.Equal("List Order", c.GetProperty("sponsor").GetProperty("name").GetString());
        Assert.Equal(2, c.GetProperty("sources").GetArrayLength());

        var failed = items[1].GetProperty("request");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("CHALLENGE_REFUSED", failed.GetProperty("failure").GetProperty("reasonCode").GetString());
        Assert.False(items[1].TryGetProperty("challenge", out _));
        Assert.False(items[0].GetProperty("request").TryGetProperty("failure", out _), "only a failed request has a failure member");
    }

    private async Task AppendAsync(string streamId, object @event)
    {
        await using var session = _platform.Store.LightweightSession();
        session.Events.Append(streamId, @event);
        await session.SaveChangesAsync();
    }
}
