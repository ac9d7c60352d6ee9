using System.Net;
using System.Text.Json;
using Marten;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class ReadProductionTestsTests(ApiFixture api)
{
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    [Fact]
    public async Task The_Location_of_a_created_request_answers_the_same_request()
    {
        var created = await _acme.CreateProductionTest(AcmeBank, new { title = "Round trip", maxStamps = 2 });
        var createdBody = await created.ShouldBeJson(HttpStatusCode.Created);

        var read = await (await _acme.GetAsync(created.Headers.Location)).ShouldBeJson(HttpStatusCode.OK);

        Assert.Equal(createdBody.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task An_unknown_id_or_another_apps_request_is_not_found()
    {
        var created = await _acme.CreateProductionTest(AcmeBank, new { title = "Mine" });
        var id = (await created.ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString();

        await (await _acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/req_{Guid.NewGuid()}")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await _acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/not-an-id")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        // The same workspace's other app does not see it either.
        await (await _acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeShop)}/{id}")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Another_workspace_cannot_read_or_list_an_app_it_does_not_own()
    {
        var created = await _acme.CreateProductionTest(AcmeBank, new { title = "Private" });
        var globex = api.Sandbox.ClientWithKey(GlobexKey);

        await (await globex.GetAsync(created.Headers.Location)).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await globex.GetAsync(HttpAssertions.ProductionTests(AcmeBank))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await globex.GetAsync(HttpAssertions.ProductionTests("NoSuchApp"))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task The_list_is_newest_first_with_requests_and_scheduled_challenges()
    {
        var tests = api.Sandbox.ClientWithKey(TestsKey);
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
        Assert.Equal(JsonValueKind.Null, c.GetProperty("completedAt").ValueKind);
        Assert.True(c.GetProperty("isActive").GetBoolean());
        Assert.Equal("first_come", c.GetProperty("challengeMode").GetString());
        Assert.Equal("List Order", c.GetProperty("sponsor").GetString());
        Assert.Equal(2, c.GetProperty("sources").GetArrayLength());

        var failed = items[1].GetProperty("request");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("CHALLENGE_REFUSED", failed.GetProperty("failure").GetProperty("reasonCode").GetString());
        Assert.False(items[1].TryGetProperty("challenge", out _));
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("request").GetProperty("failure").ValueKind);
    }

    [Fact]
    public async Task An_app_without_requests_lists_an_empty_array()
    {
        var list = await (await api.Sandbox.ClientWithKey(GlobexKey).GetAsync(HttpAssertions.ProductionTests(GlobexPay))).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        Assert.Equal(0, list.GetArrayLength());
    }

    private async Task AppendAsync(string streamId, object @event)
    {
        await using var session = api.Store.LightweightSession();
        session.Events.Append(streamId, @event);
        await session.SaveChangesAsync();
    }
}
