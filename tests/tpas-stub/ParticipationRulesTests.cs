using System.Net;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

/// <summary>One test per rule of <c>POST /v1/challenges/{id}/participations</c>; each refusal records nothing.</summary>
public sealed class ParticipationRulesTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new();
    private readonly StubFactory _stub;
    private readonly HttpClient _client;

    public ParticipationRulesTests()
    {
        _stub = new StubFactory { Clock = _clock };
        _client = _stub.CreateClient();
    }

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task An_unknown_challenge_is_404_before_the_body_is_looked_at()
    {
        const string unknown = "chl_00000000000000000000000000000000";

        await (await _client.Participate(unknown, StubHttp.ValidParticipant())).ShouldBeProblem(HttpStatusCode.NotFound, "CHALLENGE_NOT_FOUND");
        await (await _client.ParticipateRaw(unknown, """{"platform":"web"}""")).ShouldBeProblem(HttpStatusCode.NotFound, "CHALLENGE_NOT_FOUND");

        await (await _client.GetAsync($"/v1/challenges/{unknown}/participations")).ShouldBeProblem(HttpStatusCode.NotFound, "CHALLENGE_NOT_FOUND");
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "no providerId", """{"userId":"u","platform":"ios","completionSeconds":1}""" },
        { "empty providerId", """{"providerId":"","userId":"u","platform":"ios","completionSeconds":1}""" },
        { "blank providerId", """{"providerId":"  ","userId":"u","platform":"ios","completionSeconds":1}""" },
        { "no userId", """{"providerId":"bankidse","platform":"ios","completionSeconds":1}""" },
        { "empty userId", """{"providerId":"bankidse","userId":"","platform":"ios","completionSeconds":1}""" },
        { "no platform", """{"providerId":"bankidse","userId":"u","completionSeconds":1}""" },
        { "unknown platform", """{"providerId":"bankidse","userId":"u","platform":"web","completionSeconds":1}""" },
        { "upper-case platform", """{"providerId":"bankidse","userId":"u","platform":"IOS","completionSeconds":1}""" },
        { "no completionSeconds", """{"providerId":"bankidse","userId":"u","platform":"ios"}""" },
        { "null completionSeconds", """{"providerId":"bankidse","userId":"u","platform":"ios","completionSeconds":null}""" },
        { "negative completionSeconds", """{"providerId":"bankidse","userId":"u","platform":"ios","completionSeconds":-0.5}""" },
        { "completionSeconds as text", """{"providerId":"bankidse","userId":"u","platform":"ios","completionSeconds":"42"}""" },
        { "completionSeconds out of range", """{"providerId":"bankidse","userId":"u","platform":"ios","completionSeconds":1e400}""" },
        { "malformed JSON", """{"providerId":""" },
        { "empty body", "" },
        { "array body", "[]" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_body_is_400_and_records_nothing(string because, string json)
    {
        var id = await _client.NewChallenge();

        await (await _client.ParticipateRaw(id, json)).ShouldBeProblem(HttpStatusCode.BadRequest, "INVALID_PARTICIPATION");

        Assert.True((await _client.Participations(id)).GetArrayLength() == 0, $"A body with {because} was recorded.");
    }

    [Fact]
    public async Task Zero_completion_seconds_is_accepted()
    {
        var id = await _client.NewChallenge();

        var participation = await _client.Participated(id, StubHttp.ValidParticipant() with { CompletionSeconds = 0 });

        Assert.Equal(0, participation.GetProperty("completionSeconds").GetDouble());
    }

    [Fact]
    public async Task A_deactivated_challenge_is_409_inactive_and_records_nothing()
    {
        var id = await _client.NewChallenge();
        await (await _client.Deactivate(id)).ShouldBeJson(HttpStatusCode.OK);

        await (await _client.Participate(id, StubHttp.ValidParticipant())).ShouldBeProblem(HttpStatusCode.Conflict, "CHALLENGE_INACTIVE");

        Assert.Equal(0, (await _client.Participations(id)).GetArrayLength());
    }

    [Fact]
    public async Task From_expiresAt_on_it_is_409_expired_records_nothing_and_stays_active()
    {
        var id = await _client.NewChallenge();
        var expiresAt = DateTimeOffset.Parse((await _client.Challenge(id)).GetProperty("expiresAt").GetString()!);

        _clock.Advance(expiresAt - _clock.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        await _client.Participated(id, StubHttp.ValidParticipant("user-1"));

        _clock.Advance(TimeSpan.FromMilliseconds(1)); // now == expiresAt
        await (await _client.Participate(id, StubHttp.ValidParticipant("user-2"))).ShouldBeProblem(HttpStatusCode.Conflict, "CHALLENGE_EXPIRED");
        _clock.Advance(TimeSpan.FromDays(1));
        await (await _client.Participate(id, StubHttp.ValidParticipant("user-3"))).ShouldBeProblem(HttpStatusCode.Conflict, "CHALLENGE_EXPIRED");

        Assert.Equal(["user-1"], (await _client.Participations(id)).EnumerateArray().Select(p => p.GetProperty("userId").GetString()));
        // Expiry does not flip isActive; only deactivation does.
        Assert.True((await _client.Challenge(id)).GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task A_provider_not_among_the_sources_is_422_and_records_nothing()
    {
        var id = await _client.NewChallenge(b => b with { ProviderIds = ["bankidse", "freja"] });

        var problem = await (await _client.Participate(id, StubHttp.ValidParticipant() with { ProviderId = "mitid" }))
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PROVIDER_NOT_IN_CHALLENGE");

        Assert.Contains("'mitid'", problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await _client.Participations(id)).GetArrayLength());
        await _client.Participated(id, StubHttp.ValidParticipant() with { ProviderId = "freja" });
    }

    [Fact]
    public async Task With_a_target_platform_another_platform_is_422_and_records_nothing()
    {
        var id = await _client.NewChallenge(b => b with { TargetPlatform = "ios" });

        await (await _client.Participate(id, StubHttp.ValidParticipant("user-1") with { Platform = "android" }))
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PLATFORM_NOT_ALLOWED");
        Assert.Equal(0, (await _client.Participations(id)).GetArrayLength());

        await _client.Participated(id, StubHttp.ValidParticipant("user-1") with { Platform = "ios" });
        Assert.Equal(1, (await _client.Participations(id)).GetArrayLength());
    }

    [Fact]
    public async Task Without_a_target_platform_both_platforms_are_recorded()
    {
        var id = await _client.NewChallenge(b => b with { TargetPlatform = null });

        await _client.Participated(id, StubHttp.ValidParticipant("user-1") with { Platform = "ios" });
        await _client.Participated(id, StubHttp.ValidParticipant("user-2") with { Platform = "android" });

        Assert.Equal(["ios", "android"], (await _client.Participations(id)).EnumerateArray().Select(p => p.GetProperty("platform").GetString()));
    }

    [Fact]
    public async Task The_same_user_and_provider_again_is_409_duplicate_and_records_nothing()
    {
        var id = await _client.NewChallenge(b => b with { ProviderIds = ["bankidse", "freja"], AllowDuplicateParticipation = false });
        await _client.Participated(id, StubHttp.ValidParticipant("user-1"));

        await (await _client.Participate(id, StubHttp.ValidParticipant("user-1") with { Platform = "android", CompletionSeconds = 3 }))
            .ShouldBeProblem(HttpStatusCode.Conflict, "DUPLICATE_PARTICIPATION");
        Assert.Equal(1, (await _client.Participations(id)).GetArrayLength());

        // Another provider for the same user, or another user for the same provider, is no duplicate.
        await _client.Participated(id, StubHttp.ValidParticipant("user-1") with { ProviderId = "freja" });
        await _client.Participated(id, StubHttp.ValidParticipant("user-2"));
        Assert.Equal(3, (await _client.Participations(id)).GetArrayLength());
    }

    [Fact]
    public async Task Duplicates_are_recorded_when_the_challenge_allows_them()
    {
        var id = await _client.NewChallenge(b => b with { AllowDuplicateParticipation = true, MaxStampClaims = 3 });

        var first = await _client.Participated(id, StubHttp.ValidParticipant("user-1"));
        var second = await _client.Participated(id, StubHttp.ValidParticipant("user-1"));

        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.True(second.GetProperty("stampClaimed").GetBoolean());
        Assert.Equal(2, (await _client.Participations(id)).GetArrayLength());
    }

    [Fact]
    public async Task Rules_are_checked_in_order_body_inactive_expired_provider_platform_duplicate()
    {
        var id = await _client.NewChallenge(b => b with { ProviderIds = ["bankidse"], TargetPlatform = "ios", AllowDuplicateParticipation = false });
        await _client.Participated(id, StubHttp.ValidParticipant("user-1"));

        // A duplicate on the wrong platform: the platform rule answers.
        await (await _client.Participate(id, StubHttp.ValidParticipant("user-1") with { Platform = "android" }))
            .ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PLATFORM_NOT_ALLOWED");
        // ... and with an unknown provider too: the provider rule answers.
        var everythingWrong = StubHttp.ValidParticipant("user-1") with { ProviderId = "freja", Platform = "android" };
        await (await _client.Participate(id, everythingWrong)).ShouldBeProblem(HttpStatusCode.UnprocessableEntity, "PROVIDER_NOT_IN_CHALLENGE");
        // ... once expired: the expiry rule.
        _clock.Advance(TimeSpan.FromDays(31));
        await (await _client.Participate(id, everythingWrong)).ShouldBeProblem(HttpStatusCode.Conflict, "CHALLENGE_EXPIRED");
        // ... once deactivated too: the inactive rule.
        await (await _client.Deactivate(id)).ShouldBeJson(HttpStatusCode.OK);
        await (await _client.Participate(id, everythingWrong)).ShouldBeProblem(HttpStatusCode.Conflict, "CHALLENGE_INACTIVE");
        // ... and a malformed body before any rule.
        await (await _client.ParticipateRaw(id, """{"providerId":"freja","userId":"user-1","platform":"web","completionSeconds":1}"""))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "INVALID_PARTICIPATION");

        Assert.Equal(1, (await _client.Participations(id)).GetArrayLength());
    }
}
