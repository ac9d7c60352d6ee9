using System.Net;
using System.Text.Json;
using Marten;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class CreateProductionTestTests(ApiFixture api)
{
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    [Fact]
    public async Task Creates_a_pending_request_shaped_like_the_public_example()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var response = await _acme.CreateProductionTest(AcmeBank, new { title = "Launch check", description = "Try it", maxStamps = 5, targetPlatform = "ios", allowDuplicateParticipation = true, providerIds = new[] { "smartid", "bankidse" } });

        var body = await response.ShouldBeJson(HttpStatusCode.Created);
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches("^req_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
        Assert.Equal($"/connect/v1/apps/{AcmeBank}/production-tests/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(AcmeBank, body.GetProperty("clientId").GetString());
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.False(body.TryGetProperty("challengeId", out _), "a pending request has no challengeId member");
        var createdAt = body.GetProperty("createdAt").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", createdAt);
        Assert.InRange(DateTimeOffset.Parse(createdAt), before, DateTimeOffset.UtcNow.AddSeconds(1));

        var payload = body.GetProperty("payload");
        Assert.Equal("Launch check", payload.GetProperty("title").GetString());
        Assert.Equal("Try it", payload.GetProperty("description").GetString());
        Assert.Equal(["smartid", "bankidse"], payload.GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(5, payload.GetProperty("maxStampClaims").GetInt32());
        Assert.Equal("ios", payload.GetProperty("targetPlatform").GetString());
        Assert.True(payload.GetProperty("allowDuplicateParticipation").GetBoolean());
        Assert.Equal("Acme Bank", payload.GetProperty("hostName").GetString());
        Assert.False(payload.TryGetProperty("maxStamps", out _));
    }

    [Fact]
    public async Task Applies_the_defaults_and_resolves_every_eligible_provider_in_a_stable_order()
    {
        var body = await (await _acme.CreateProductionTest(AcmeBank, new { title = "Defaults" })).ShouldBeJson(HttpStatusCode.Created);

        var payload = body.GetProperty("payload");
        // FK5b0KSM enables bankidse, smartid, mitid, beid (chip-based) and bankidno (production only).
        Assert.Equal(["bankidse", "mitid", "smartid"], payload.GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(3, payload.GetProperty("maxStampClaims").GetInt32());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("targetPlatform").ValueKind);
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("description").ValueKind);
        Assert.False(payload.GetProperty("allowDuplicateParticipation").GetBoolean());
    }

    [Fact]
    public async Task Starts_a_stream_holding_exactly_the_ChallengeRequested_event()
    {
        var body = await (await _acme.CreateProductionTest(AcmeBank, new { title = "Stream" })).ShouldBeJson(HttpStatusCode.Created);
        var id = body.GetProperty("id").GetString()!;

        await using var session = api.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        var requested = Assert.IsType<ChallengeRequested>(Assert.Single(events).Data);
        Assert.Equal(id, requested.RequestId);
        Assert.Equal(AcmeBank, requested.ClientId);
        Assert.Equal("ws_acme", requested.WorkspaceId);
        Assert.Equal(["bankidse", "mitid", "smartid"], requested.Payload.ProviderIds);
        Assert.Equal(body.GetProperty("createdAt").GetString(), requested.RequestedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
    }

    [Theory]
    [InlineData("beid", "chip_based")]
    [InlineData("bankidno", "not_available_in_environment")]
    [InlineData("freja", "not_enabled_for_app")]
    [InlineData("nosuchprovider", "unknown_provider")]
    public async Task Refuses_an_ineligible_provider_with_its_reason(string providerId, string reason)
    {
        var count = await api.Store.CountRequests();
        var response = await _acme.CreateProductionTest(AcmeBank, new { title = "Ineligible", providerIds = new[] { "bankidse", providerId } });

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        var context = problem.GetProperty("context");
        Assert.Equal("providerIds", context.GetProperty("field").GetString());
        var refused = Assert.Single(context.GetProperty("providers").EnumerateArray());
        Assert.Equal(providerId, refused.GetProperty("providerId").GetString());
        Assert.Equal(reason, refused.GetProperty("reason").GetString());
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task Lists_every_refused_provider_at_once()
    {
        var response = await _acme.CreateProductionTest(AcmeBank, new { title = "Many", providerIds = new[] { "beid", "smartid", "freja", "bankidno", "zzz" } });

        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        var refused = problem.GetProperty("context").GetProperty("providers").EnumerateArray()
            .Select(p => (p.GetProperty("providerId").GetString(), p.GetProperty("reason").GetString())).ToList();
        Assert.Equal([("beid", "chip_based"), ("freja", "not_enabled_for_app"), ("bankidno", "not_available_in_environment"), ("zzz", "unknown_provider")], refused);
    }

    [Fact]
    public async Task An_app_with_no_eligible_provider_is_a_conflict_when_none_are_named()
    {
        var tests = api.Sandbox.ClientWithKey(TestsKey);
        var count = await api.Store.CountRequests();

        var problem = await (await tests.CreateProductionTest(NothingEligibleApp, new { title = "Nothing" })).ShouldBeProblem(HttpStatusCode.Conflict, "RESOURCE_CONFLICT");

        Assert.Equal("providerIds", problem.GetProperty("context").GetProperty("field").GetString());
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task In_production_a_production_only_provider_is_eligible_with_a_production_key()
    {
        var production = api.Production.ClientWithKey(AcmeProdKey);

        var body = await (await production.CreateProductionTest(AcmeBank, new { title = "Production" })).ShouldBeJson(HttpStatusCode.Created);

        Assert.Equal(["bankidno", "bankidse", "mitid", "smartid"], body.GetProperty("payload").GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Another_workspaces_app_is_not_found_exactly_like_an_unknown_app()
    {
        var count = await api.Store.CountRequests();
        var globex = api.Sandbox.ClientWithKey(GlobexKey);

        var foreign = await (await globex.CreateProductionTest(AcmeBank, new { title = "Foreign" })).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        var unknown = await (await globex.CreateProductionTest("NoSuchApp", new { title = "Unknown" })).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");

        Assert.Equal(unknown.GetProperty("detail").GetString()!.Replace("NoSuchApp", AcmeBank), foreign.GetProperty("detail").GetString());
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Theory]
    [InlineData("{}", "title", "VALIDATION_MISSING_PARAMETER")]
    [InlineData("{\"title\":null}", "title", "VALIDATION_MISSING_PARAMETER")]
    [InlineData("{\"title\":42}", "title", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"   \"}", "title", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"description\":7}", "description", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"providerIds\":\"bankidse\"}", "providerIds", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"providerIds\":[]}", "providerIds", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"providerIds\":[1]}", "providerIds[0]", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"targetPlatform\":\"web\"}", "targetPlatform", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"maxStamps\":0}", "maxStamps", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"maxStamps\":\"3\"}", "maxStamps", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"maxStamps\":1e400}", "maxStamps", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"allowDuplicateParticipation\":\"yes\"}", "allowDuplicateParticipation", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("{\"title\":\"t\",\"maxStamp\":5}", "maxStamp", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("[]", "body", "VALIDATION_INVALID_PARAMETER")]
    [InlineData("\"title\"", "body", "VALIDATION_INVALID_PARAMETER")]
    public async Task Refuses_bad_fields_naming_the_field_and_stores_nothing(string json, string field, string code)
    {
        var count = await api.Store.CountRequests();

        var problem = await (await _acme.PostJson(HttpAssertions.ProductionTests(AcmeBank), json)).ShouldBeProblem(HttpStatusCode.BadRequest, code);

        Assert.Equal(field, problem.GetProperty("context").GetProperty("field").GetString());
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task Title_of_200_characters_is_accepted_and_201_refused()
    {
        (await _acme.CreateProductionTest(AcmeBank, new { title = new string('a', 200) })).EnsureSuccessStatusCode();
        await (await _acme.CreateProductionTest(AcmeBank, new { title = new string('a', 201) })).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        (await _acme.CreateProductionTest(AcmeBank, new { title = "t", description = new string('d', 1000) })).EnsureSuccessStatusCode();
        await (await _acme.CreateProductionTest(AcmeBank, new { title = "t", description = new string('d', 1001) })).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
    }
}
