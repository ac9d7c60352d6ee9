using System.Net;
using System.Text.Json;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class StampClaimTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new();
    private readonly StubFactory _stub;
    private readonly HttpClient _client;

    public StampClaimTests()
    {
        _stub = new StubFactory { Clock = _clock };
        _client = _stub.CreateClient();
    }

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Stamps_go_first_come_first_served_and_the_last_one_completes_the_challenge()
    {
        var id = await _client.NewChallenge(b => b with { MaxStampClaims = 2 });

        var first = await Participate("user-1");
        Assert.Equal(JsonValueKind.Null, (await _client.Challenge(id)).GetProperty("completedAt").ValueKind);
        var second = await Participate("user-2");
        var third = await Participate("user-3");

        Assert.Equal([true, true, false], new[] { first, second, third }.Select(p => p.GetProperty("stampClaimed").GetBoolean()));
        var challenge = await _client.Challenge(id);
        Assert.Equal(second.GetProperty("participatedAt").GetString(), challenge.GetProperty("completedAt").GetString());
        Assert.NotEqual(third.GetProperty("participatedAt").GetString(), challenge.GetProperty("completedAt").GetString());
        // Completed, not closed: still active, and the third participation is recorded without a stamp.
        Assert.True(challenge.GetProperty("isActive").GetBoolean());
        Assert.Equal(
            [("user-1", true), ("user-2", true), ("user-3", false)],
            (await _client.Participations(id)).EnumerateArray().Select(p => (p.GetProperty("userId").GetString(), p.GetProperty("stampClaimed").GetBoolean())));

        async Task<JsonElement> Participate(string user)
        {
            var participation = await _client.Participated(id, StubHttp.ValidParticipant(user));
            _clock.Advance(TimeSpan.FromSeconds(1));
            return participation;
        }
    }

    [Fact]
    public async Task Fifty_concurrent_participations_claim_exactly_the_ten_stamps()
    {
        using var stub = new StubFactory(); // the system clock: the participations really race
        var client = stub.CreateClient();
        var id = await client.NewChallenge(b => b with { MaxStampClaims = 10 });
        using var start = new ManualResetEventSlim();

        var posts = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await client.Participated(id, StubHttp.ValidParticipant($"user-{i}"));
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(posts);

        Assert.Equal(10, answers.Count(a => a.GetProperty("stampClaimed").GetBoolean()));
        var recorded = (await client.Participations(id)).EnumerateArray().ToList();
        Assert.Equal(50, recorded.Count);
        Assert.Equal(50, recorded.Select(p => p.GetProperty("id").GetString()).Distinct().Count());
        // The first ten recorded are the ten that claimed, and the tenth completed the challenge.
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i < 10), recorded.Select(p => p.GetProperty("stampClaimed").GetBoolean()));
        Assert.Equal(recorded[9].GetProperty("participatedAt").GetString(), (await client.Challenge(id)).GetProperty("completedAt").GetString());
        Assert.Equal(10, (await client.Stats(id)).GetProperty("totalClaims").GetInt32());
    }
}
