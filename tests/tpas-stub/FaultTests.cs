using System.Net;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class FaultTests : IDisposable
{
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public FaultTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task A_refused_title_is_422_stores_nothing_and_a_retry_after_clearing_the_knob_succeeds()
    {
        await _client.PutFaults(new { refuseTitles = new[] { "Refuse me" } });
        var requestId = StubHttp.NewRequestId();
        var body = StubHttp.ValidBody(requestId) with { Title = "REFUSE ME" };

        var problem = await (await _client.CreateChallenge(requestId, body)).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "CHALLENGE_REFUSED");

        Assert.Contains("REFUSE ME", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await _client.CountChallenges(requestId));

        await _client.PostAsync("/admin/faults/reset", null);
        await (await _client.CreateChallenge(requestId, body)).ShouldBeJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_refused_provider_is_422_naming_it_and_stores_nothing()
    {
        await _client.PutFaults(new { refuseProviders = new[] { "freja" } });
        var requestId = StubHttp.NewRequestId();

        var problem = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId) with { ProviderIds = ["bankidse", "freja"] }))
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "CHALLENGE_REFUSED");

        Assert.Contains("'freja'", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await _client.CountChallenges(requestId));
    }

    [Fact]
    public async Task Refusal_knobs_do_not_touch_a_challenge_already_created_for_the_key()
    {
        var requestId = StubHttp.NewRequestId();
        var created = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
        await _client.PutFaults(new { refuseProviders = new[] { "bankidse" } });

        var replay = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.OK);

        Assert.Equal(created.GetProperty("id").GetString(), replay.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Down_answers_503_on_every_v1_endpoint_but_not_on_health_or_admin()
    {
        var requestId = StubHttp.NewRequestId();
        var id = (await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created))
            .GetProperty("id").GetString();
        await _client.PutFaults(new { down = true });

        var other = StubHttp.NewRequestId();
        await (await _client.CreateChallenge(other, StubHttp.ValidBody(other))).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        await (await _client.GetAsync($"/v1/challenges/{id}")).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        await (await _client.GetAsync("/v1/challenges")).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);

        await (await _client.PostAsync("/admin/faults/reset", null)).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(0, await _client.CountChallenges(other));
    }

    [Fact]
    public async Task Down_answers_503_on_the_participation_endpoints_and_records_nothing()
    {
        var id = await _client.NewChallenge();
        await _client.PutFaults(new { down = true });

        await (await _client.Participate(id, StubHttp.ValidParticipant())).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        await (await _client.GetAsync($"/v1/challenges/{id}/participations")).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        await (await _client.GetAsync($"/v1/challenges/{id}/stats")).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");

        await _client.PostAsync("/admin/faults/reset", null);
        Assert.Equal(0, (await _client.Participations(id)).GetArrayLength());
    }

    [Fact]
    public async Task Error_rate_and_refusal_knobs_leave_participations_alone_latency_does_not()
    {
        var id = await _client.NewChallenge(b => b with { Title = "Refuse me" });
        await _client.PutFaults(new { errorRate = 1.0, refuseTitles = new[] { "Refuse me" }, refuseProviders = new[] { "bankidse" }, latencyMs = 50 });

        await _client.Participated(id, StubHttp.ValidParticipant());

        Assert.Equal(1, (await _client.Stats(id)).GetProperty("totalParticipations").GetInt32());
    }

    [Fact]
    public async Task Down_can_be_set_from_configuration()
    {
        using var stub = new StubFactory(("Faults:Down", "true"));

        await (await stub.CreateClient().GetAsync("/v1/challenges")).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
    }

    [Fact]
    public async Task Error_rate_1_answers_503_and_creates_nothing_and_0_creates()
    {
        var requestId = StubHttp.NewRequestId();
        await _client.PutFaults(new { errorRate = 1.0 });

        for (var i = 0; i < 5; i++)
            await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        Assert.Equal(0, await _client.CountChallenges(requestId));

        await _client.PutFaults(new { errorRate = 0.0 });
        await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_seeded_error_rate_fails_the_same_posts_every_run()
    {
        var first = await Statuses(new StubFactory(("Faults:ErrorRate", "0.5"), ("Faults:Seed", "42")));
        var second = await Statuses(new StubFactory(("Faults:ErrorRate", "0.5"), ("Faults:Seed", "42")));

        Assert.Equal(first, second);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, first);
        Assert.Contains(HttpStatusCode.Created, first);

        static async Task<List<HttpStatusCode>> Statuses(StubFactory stub)
        {
            using var _ = stub;
            var client = stub.CreateClient();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 20; i++)
            {
                var requestId = StubHttp.NewRequestId();
                statuses.Add((await client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).StatusCode);
            }
            return statuses;
        }
    }

    [Fact]
    public async Task Latency_delays_but_still_answers()
    {
        await _client.PutFaults(new { latencyMs = 200 });
        var requestId = StubHttp.NewRequestId();

        await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
        await (await _client.GetAsync($"/v1/challenges?requestId={requestId}")).ShouldBeJson(HttpStatusCode.OK);
    }
}
