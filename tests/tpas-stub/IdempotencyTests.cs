using System.Net;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class IdempotencyTests : IDisposable
{
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public IdempotencyTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task The_same_key_twice_answers_200_with_the_same_challenge()
    {
        var requestId = StubHttp.NewRequestId();
        var first = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);

        var second = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId) with { Title = "Changed" }))
            .ShouldBeJson(HttpStatusCode.OK);

        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(1, await _client.CountChallenges(requestId));
    }

    [Fact]
    public async Task Twenty_concurrent_posts_with_one_key_create_exactly_one_challenge()
    {
        var requestId = StubHttp.NewRequestId();
        using var start = new ManualResetEventSlim();

        var posts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            var response = await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId));
            var body = await response.ShouldBeJson(response.StatusCode == HttpStatusCode.Created ? HttpStatusCode.Created : HttpStatusCode.OK);
            return (response.StatusCode, Id: body.GetProperty("id").GetString());
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(posts);

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Single(answers.Select(a => a.Id).Distinct());
        Assert.Equal(1, await _client.CountChallenges(requestId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_missing_idempotency_key_is_400(string? key)
    {
        var requestId = StubHttp.NewRequestId();

        await (await _client.CreateChallenge(key, StubHttp.ValidBody(requestId)))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "IDEMPOTENCY_KEY_REQUIRED");

        Assert.Equal(0, await _client.CountChallenges(requestId));
    }

    [Fact]
    public async Task A_body_request_id_other_than_the_key_is_400()
    {
        var key = StubHttp.NewRequestId();

        await (await _client.CreateChallenge(key, StubHttp.ValidBody(StubHttp.NewRequestId())))
            .ShouldBeProblem(HttpStatusCode.BadRequest, "INVALID_CHALLENGE");

        Assert.Equal(0, await _client.CountChallenges(key));
    }
}
