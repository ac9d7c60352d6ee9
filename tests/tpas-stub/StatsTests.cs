using System.Net;
using System.Text.Json;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class StatsTests : IDisposable
{
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public StatsTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task A_challenge_nobody_visited_has_a_zero_entry_for_every_source_in_order()
    {
        var id = await _client.NewChallenge(b => b with { ProviderIds = ["freja", "bankidse", "mitid"] });

        var stats = await _client.Stats(id);

        Assert.Equal((await _client.Challenge(id)).GetRawText(), stats.GetProperty("challenge").GetRawText());
        Assert.Equal(0, stats.GetProperty("totalParticipations").GetInt32());
        Assert.Equal(0, stats.GetProperty("totalClaims").GetInt32());
        Assert.Equal(
            """[{"providerId":"freja","participationCount":0,"claimCount":0,"averageCompletionSeconds":null},{"providerId":"bankidse","participationCount":0,"claimCount":0,"averageCompletionSeconds":null},{"providerId":"mitid","participationCount":0,"claimCount":0,"averageCompletionSeconds":null}]""",
            stats.GetProperty("providerBreakdown").GetRawText());
    }

    [Fact]
    public async Task Counts_claims_and_averages_per_provider_with_zeros_where_nobody_came()
    {
        var id = await _client.NewChallenge(b => b with { ProviderIds = ["bankidse", "freja", "mitid"], MaxStampClaims = 2 });
        await _client.Participated(id, new StubHttp.Participant("bankidse", "user-1", "ios", 40.0));
        await _client.Participated(id, new StubHttp.Participant("bankidse", "user-2", "android", 42.5));
        await _client.Participated(id, new StubHttp.Participant("bankidse", "user-3", "ios", 41.2));
        await _client.Participated(id, new StubHttp.Participant("freja", "user-1", "ios", 10.25));
        // Refused: counted nowhere.
        await (await _client.Participate(id, new StubHttp.Participant("bankidse", "user-1", "ios", 99))).ShouldBeProblem(HttpStatusCode.Conflict, "DUPLICATE_PARTICIPATION");
        await (await _client.Participate(id, new StubHttp.Participant("other", "user-1", "ios", 99))).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PROVIDER_NOT_IN_CHALLENGE");

        var stats = await _client.Stats(id);

        Assert.Equal(4, stats.GetProperty("totalParticipations").GetInt32());
        Assert.Equal(2, stats.GetProperty("totalClaims").GetInt32());
        var breakdown = stats.GetProperty("providerBreakdown").EnumerateArray().ToList();
        Assert.Equal(["bankidse", "freja", "mitid"], breakdown.Select(p => p.GetProperty("providerId").GetString()));
        Assert.Equal([3, 1, 0], breakdown.Select(p => p.GetProperty("participationCount").GetInt32()));
        Assert.Equal([2, 0, 0], breakdown.Select(p => p.GetProperty("claimCount").GetInt32()));
        Assert.Equal(41.2, breakdown[0].GetProperty("averageCompletionSeconds").GetDouble()); // 123.7 / 3 = 41.2333
        Assert.Equal(10.3, breakdown[1].GetProperty("averageCompletionSeconds").GetDouble()); // a half rounds away from zero
        Assert.Equal(JsonValueKind.Null, breakdown[2].GetProperty("averageCompletionSeconds").ValueKind);

        // The challenge as GET answers it now: completed by the second participation.
        var challenge = await _client.Challenge(id);
        Assert.Equal(challenge.GetRawText(), stats.GetProperty("challenge").GetRawText());
        Assert.NotEqual(JsonValueKind.Null, stats.GetProperty("challenge").GetProperty("completedAt").ValueKind);
    }

    [Fact]
    public async Task Stats_of_an_unknown_challenge_is_404()
    {
        await (await _client.GetAsync("/v1/challenges/chl_00000000000000000000000000000000/stats"))
            .ShouldBeProblem(HttpStatusCode.NotFound, "CHALLENGE_NOT_FOUND");
    }
}
