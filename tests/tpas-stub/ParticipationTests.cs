using System.Net;
using System.Text.Json;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class ParticipationTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, 123, TimeSpan.Zero));
    private readonly StubFactory _stub;
    private readonly HttpClient _client;

    public ParticipationTests()
    {
        _stub = new StubFactory { Clock = _clock };
        _client = _stub.CreateClient();
    }

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Participate_answers_201_with_the_participation_timed_by_the_stubs_clock()
    {
        var id = await _client.NewChallenge();
        _clock.Advance(TimeSpan.FromMinutes(5));

        var response = await _client.Participate(id, new { providerId = "bankidse", userId = "user-1", platform = "android", completionSeconds = 42.5 });
        var participation = await response.ShouldBeJson(HttpStatusCode.Created);

        Assert.Matches("^par_[0-9a-f]{32}$", participation.GetProperty("id").GetString());
        Assert.Equal(id, participation.GetProperty("challengeId").GetString());
        Assert.Equal("bankidse", participation.GetProperty("providerId").GetString());
        Assert.Equal("user-1", participation.GetProperty("userId").GetString());
        Assert.Equal("android", participation.GetProperty("platform").GetString());
        Assert.Equal(42.5, participation.GetProperty("completionSeconds").GetDouble());
        Assert.Equal("2026-11-26T07:05:00.123Z", participation.GetProperty("participatedAt").GetString());
        Assert.True(participation.GetProperty("stampClaimed").GetBoolean());
        Assert.Equal(
            ["id", "challengeId", "providerId", "userId", "platform", "completionSeconds", "participatedAt", "stampClaimed"],
            participation.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_list_answers_every_participation_in_the_order_recorded()
    {
        var id = await _client.NewChallenge(b => b with { MaxStampClaims = 10 });
        Assert.Equal(JsonValueKind.Array, (await _client.Participations(id)).ValueKind);

        var recorded = new List<string>();
        foreach (var user in new[] { "user-c", "user-a", "user-b" })
        {
            recorded.Add((await _client.Participated(id, StubHttp.ValidParticipant(user))).GetRawText());
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(recorded, (await _client.Participations(id)).EnumerateArray().Select(p => p.GetRawText()));
    }

    [Fact]
    public async Task Participations_are_kept_per_challenge()
    {
        var first = await _client.NewChallenge();
        var second = await _client.NewChallenge();

        await _client.Participated(first, StubHttp.ValidParticipant("user-1"));
        await _client.Participated(second, StubHttp.ValidParticipant("user-1"));

        Assert.Equal(1, (await _client.Participations(first)).GetArrayLength());
        Assert.Equal(second, Assert.Single((await _client.Participations(second)).EnumerateArray()).GetProperty("challengeId").GetString());
    }
}
