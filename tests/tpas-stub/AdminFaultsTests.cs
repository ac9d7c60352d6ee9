using System.Net;
using System.Text.Json;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class AdminFaultsTests : IDisposable
{
    private const string NoFaults = """{"latencyMs":0,"errorRate":0,"refuseTitles":[],"refuseProviders":[],"down":false,"lostAnswerRate":0,"lostAnswerDelayMs":0}""";
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public AdminFaultsTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Get_put_and_reset_round_trip()
    {
        Assert.Equal(NoFaults, (await (await _client.GetAsync("/admin/faults")).ShouldBeJson(HttpStatusCode.OK)).GetRawText());

        const string knobs = """{"latencyMs":5,"errorRate":0.25,"refuseTitles":["No"],"refuseProviders":["freja"],"down":true,"lostAnswerRate":0.5,"lostAnswerDelayMs":7}""";
        var put = await _client.PutAsync("/admin/faults", new StringContent(knobs, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(knobs, (await put.ShouldBeJson(HttpStatusCode.OK)).GetRawText());
        Assert.Equal(knobs, (await (await _client.GetAsync("/admin/faults")).ShouldBeJson(HttpStatusCode.OK)).GetRawText());

        Assert.Equal(NoFaults, (await (await _client.PostAsync("/admin/faults/reset", null)).ShouldBeJson(HttpStatusCode.OK)).GetRawText());
        Assert.Equal(NoFaults, (await (await _client.GetAsync("/admin/faults")).ShouldBeJson(HttpStatusCode.OK)).GetRawText());
    }

    [Fact]
    public async Task Put_replaces_every_knob_so_omitted_ones_are_cleared()
    {
        await _client.PutFaults(new { down = true, latencyMs = 10 });

        var knobs = await (await _client.PutFaults(new { refuseTitles = new[] { "x" } })).ShouldBeJson(HttpStatusCode.OK);

        Assert.False(knobs.GetProperty("down").GetBoolean());
        Assert.Equal(0, knobs.GetProperty("latencyMs").GetInt32());
        Assert.Equal(JsonValueKind.Array, knobs.GetProperty("refuseProviders").ValueKind);
    }

    [Fact]
    public async Task Configured_knobs_are_what_get_answers()
    {
        using var stub = new StubFactory(
            ("Faults:LatencyMs", "1"), ("Faults:ErrorRate", "0.5"),
            ("Faults:RefuseTitles:0", "A"), ("Faults:RefuseTitles:1", "B"), ("Faults:RefuseProviders:0", "freja"));

        var knobs = await (await stub.CreateClient().GetAsync("/admin/faults")).ShouldBeJson(HttpStatusCode.OK);

        Assert.Equal("""{"latencyMs":1,"errorRate":0.5,"refuseTitles":["A","B"],"refuseProviders":["freja"],"down":false,"lostAnswerRate":0,"lostAnswerDelayMs":0}""", knobs.GetRawText());
    }

    [Theory]
    [InlineData("""{"errorRate":1.5}""")]
    [InlineData("""{"errorRate":-0.1}""")]
    [InlineData("""{"latencyMs":-1}""")]
    [InlineData("""{"lostAnswerRate":1.01}""")]
    [InlineData("""{"lostAnswerDelayMs":-1}""")]
    [InlineData("""{"down":"yes"}""")]
    [InlineData("""{"down":""")]
    public async Task Invalid_knobs_are_400_and_change_nothing(string json)
    {
        var response = await _client.PutAsync("/admin/faults", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "INVALID_FAULTS");
        Assert.Equal(NoFaults, (await (await _client.GetAsync("/admin/faults")).ShouldBeJson(HttpStatusCode.OK)).GetRawText());
    }
}
