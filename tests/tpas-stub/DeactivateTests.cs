using System.Net;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class DeactivateTests : IDisposable
{
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public DeactivateTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Deactivate_answers_the_challenge_inactive_and_every_later_answer_says_so()
    {
        var requestId = StubHttp.NewRequestId();
        var created = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;

        var deactivated = await (await _client.Deactivate(id)).ShouldBeJson(HttpStatusCode.OK);

        Assert.False(deactivated.GetProperty("isActive").GetBoolean());
        Assert.Equal(created.GetRawText().Replace("\"isActive\":true", "\"isActive\":false"), deactivated.GetRawText());
        Assert.Equal(deactivated.GetRawText(), (await _client.Challenge(id)).GetRawText());
        Assert.Equal(deactivated.GetRawText(), Assert.Single((await (await _client.GetAsync($"/v1/challenges?requestId={requestId}")).ShouldBeJson(HttpStatusCode.OK)).EnumerateArray()).GetRawText());
        Assert.Equal(deactivated.GetRawText(), Assert.Single((await (await _client.GetAsync("/v1/challenges")).ShouldBeJson(HttpStatusCode.OK)).EnumerateArray()).GetRawText());
        Assert.Equal(deactivated.GetRawText(), (await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.OK)).GetRawText());
        Assert.Equal(deactivated.GetRawText(), (await _client.Stats(id)).GetProperty("challenge").GetRawText());

        // Twice is fine.
        Assert.Equal(deactivated.GetRawText(), (await (await _client.Deactivate(id)).ShouldBeJson(HttpStatusCode.OK)).GetRawText());
    }

    [Fact]
    public async Task Deactivating_an_unknown_challenge_is_404()
    {
        await (await _client.Deactivate("chl_00000000000000000000000000000000")).ShouldBeProblem(HttpStatusCode.NotFound, "CHALLENGE_NOT_FOUND");
    }

    [Fact]
    public async Task Deactivate_is_an_admin_endpoint_so_Down_does_not_touch_it()
    {
        var id = await _client.NewChallenge();
        await _client.PutFaults(new { down = true });

        await (await _client.Deactivate(id)).ShouldBeJson(HttpStatusCode.OK);
    }
}
