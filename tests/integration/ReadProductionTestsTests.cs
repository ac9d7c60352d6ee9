using System.Net;
using System.Text.Json;
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

        // The scheduler may already have moved it on; everything the caller sent stays as it was.
        foreach (var field in new[] { "id", "clientId", "payload", "createdAt" })
            Assert.Equal(createdBody.GetProperty(field).GetRawText(), read.GetProperty(field).GetRawText());
        Assert.Contains(read.GetProperty("status").GetString(), new[] { "pending", "scheduled" });
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
    public async Task An_app_without_requests_lists_an_empty_array()
    {
        var list = await (await api.Sandbox.ClientWithKey(GlobexKey).GetAsync(HttpAssertions.ProductionTests(GlobexPay))).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        Assert.Equal(0, list.GetArrayLength());
    }
}
