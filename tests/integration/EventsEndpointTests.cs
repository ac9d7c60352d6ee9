using System.Net;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class EventsEndpointTests(ApiFixture api)
{
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    [Fact]
    public async Task The_events_of_a_scheduled_request_are_listed_in_order()
    {
        var id = (await (await _acme.CreateProductionTest(AcmeBank, new { title = "Audit trail" })).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await SchedulingTests.WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");

        var events = (await (await _acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/{id}/events")).ShouldBeJson(HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.Equal(["challenge_requested", "challenge_scheduled"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1, 2], events.Select(e => e.GetProperty("version").GetInt32()));
        Assert.True(events[1].GetProperty("sequence").GetInt64() > events[0].GetProperty("sequence").GetInt64());
        Assert.Equal("Audit trail", events[0].GetProperty("data").GetProperty("payload").GetProperty("title").GetString());
        Assert.StartsWith("chl_", events[1].GetProperty("data").GetProperty("challengeId").GetString());
        Assert.Matches(@"Z$", events[0].GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Another_apps_or_workspaces_request_has_no_events_to_show()
    {
        var id = (await (await _acme.CreateProductionTest(AcmeBank, new { title = "Private trail" })).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        await (await _acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeShop)}/{id}/events")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await api.Sandbox.ClientWithKey(GlobexKey).GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/{id}/events")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await _acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}/req_{Guid.NewGuid()}/events")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
    }
}
