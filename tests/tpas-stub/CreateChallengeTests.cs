using System.Net;
using System.Text.Json;
using ProductionTests.Contracts;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class CreateChallengeTests : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public CreateChallengeTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Create_answers_201_with_the_challenge_and_its_location()
    {
        var requestId = StubHttp.NewRequestId();
        var body = StubHttp.ValidBody(requestId) with
        {
            Description = "Try it", ProviderIds = ["bankidse", "freja"], MaxStampClaims = 5,
            TargetPlatform = "ios", AllowDuplicateParticipation = true,
        };

        var response = await _client.CreateChallenge(requestId, body);
        var challenge = await response.ShouldBeJson(HttpStatusCode.Created);

        var id = challenge.GetProperty("id").GetString()!;
        Assert.Matches("^chl_[0-9a-f]{32}$", id);
        Assert.Equal($"/v1/challenges/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(requestId, challenge.GetProperty("requestId").GetString());
        Assert.Equal("Smoke test", challenge.GetProperty("title").GetString());
        Assert.Equal("Try it", challenge.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, challenge.GetProperty("completedAt").ValueKind);
        Assert.True(challenge.GetProperty("isActive").GetBoolean());
        Assert.Equal("first_come", challenge.GetProperty("challengeMode").GetString());
        Assert.Equal("Acme Bank", challenge.GetProperty("sponsor").GetString());
        Assert.Equal(["bankidse", "freja"], challenge.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(5, challenge.GetProperty("maxStampClaims").GetInt32());
        Assert.Equal("ios", challenge.GetProperty("targetPlatform").GetString());
        Assert.True(challenge.GetProperty("allowDuplicateParticipation").GetBoolean());

        var createdText = challenge.GetProperty("createdAt").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", createdText);
        var createdAt = DateTimeOffset.Parse(createdText);
        Assert.InRange(createdAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(createdAt.AddDays(30), DateTimeOffset.Parse(challenge.GetProperty("expiresAt").GetString()!));
    }

    [Fact]
    public async Task Optional_fields_may_be_null_or_omitted()
    {
        var requestId = StubHttp.NewRequestId();
        var response = await _client.CreateChallengeRaw(requestId,
            """{"title":"Bare","providerIds":["bankidse"],"maxStampClaims":1,"hostName":"Acme Bank"}""");

        var challenge = await response.ShouldBeJson(HttpStatusCode.Created);
        Assert.Equal(requestId, challenge.GetProperty("requestId").GetString());
        Assert.Equal(JsonValueKind.Null, challenge.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, challenge.GetProperty("targetPlatform").ValueKind);
        Assert.False(challenge.GetProperty("allowDuplicateParticipation").GetBoolean());
    }

    [Fact]
    public async Task The_answer_reads_as_the_schedulers_ChallengeSnapshot()
    {
        var requestId = StubHttp.NewRequestId();
        var response = await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId));
        var json = await response.Content.ReadAsStringAsync();

        var snapshot = JsonSerializer.Deserialize<ChallengeSnapshot>(json, Web)!;

        Assert.StartsWith("chl_", snapshot.Id);
        Assert.Equal("Acme Bank", snapshot.Sponsor);
        Assert.Equal(["bankidse"], snapshot.Sources);
        Assert.Equal(TimeSpan.Zero, snapshot.CreatedAt.Offset);
        Assert.Null(snapshot.CompletedAt);
    }

    [Fact]
    public async Task Get_by_id_answers_the_challenge_and_404_for_an_unknown_id()
    {
        var requestId = StubHttp.NewRequestId();
        var created = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();

        var read = await (await _client.GetAsync($"/v1/challenges/{id}")).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(created.GetRawText(), read.GetRawText());

        await (await _client.GetAsync("/v1/challenges/chl_00000000000000000000000000000000"))
            .ShouldBeProblem(HttpStatusCode.NotFound, "CHALLENGE_NOT_FOUND");
    }

    [Fact]
    public async Task List_filters_by_request_id_or_answers_every_challenge()
    {
        var first = StubHttp.NewRequestId();
        var second = StubHttp.NewRequestId();
        await _client.CreateChallenge(first, StubHttp.ValidBody(first));
        await _client.CreateChallenge(second, StubHttp.ValidBody(second));

        var one = await (await _client.GetAsync($"/v1/challenges?requestId={first}")).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(first, Assert.Single(one.EnumerateArray()).GetProperty("requestId").GetString());
        Assert.Equal(0, await _client.CountChallenges(StubHttp.NewRequestId()));

        var all = await (await _client.GetAsync("/v1/challenges")).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal([first, second], all.EnumerateArray().Select(c => c.GetProperty("requestId").GetString()));
    }

    [Fact]
    public async Task Expiry_follows_configuration()
    {
        using var stub = new StubFactory(("Challenges:ExpiresAfter", "02:00:00"));
        var client = stub.CreateClient();
        var requestId = StubHttp.NewRequestId();

        var challenge = await (await client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);

        var createdAt = DateTimeOffset.Parse(challenge.GetProperty("createdAt").GetString()!);
        Assert.Equal(createdAt.AddHours(2), DateTimeOffset.Parse(challenge.GetProperty("expiresAt").GetString()!));
    }

    [Fact]
    public async Task Health_live_answers_200()
    {
        var response = await _client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
