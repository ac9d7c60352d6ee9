using System.Net;
using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Create.Idempotency;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class IdempotencyTests(ApiFixture api)
{
    private static readonly string Url = HttpAssertions.ProductionTests(AcmeBank);
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    [Fact]
    public async Task The_same_key_and_body_replays_the_first_answer_byte_for_byte()
    {
        var key = NewKey();
        var first = await PostAsync(_acme, Url, key, """{"title":"Replay me","maxStamps":4,"providerIds":["smartid","bankidse"]}""");
        var firstBody = await first.Content.ReadAsStringAsync();
        var count = await api.Store.CountRequests();

        // Same members in another order, other whitespace: the same request.
        var second = await PostAsync(_acme, Url, key, """
            { "providerIds" : [ "smartid", "bankidse" ],
              "maxStamps": 4,   "title": "Replay me" }
            """);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_or_app_is_a_conflict()
    {
        var key = NewKey();
        (await PostAsync(_acme, Url, key, """{"title":"Original"}""")).EnsureSuccessStatusCode();
        var count = await api.Store.CountRequests();

        await (await PostAsync(_acme, Url, key, """{"title":"Changed"}""")).ShouldBeProblem(HttpStatusCode.Conflict, "IDEMPOTENCY_KEY_CONFLICT");
        await (await PostAsync(_acme, Url, key, """{"title":"Original","maxStamps":3}""")).ShouldBeProblem(HttpStatusCode.Conflict, "IDEMPOTENCY_KEY_CONFLICT");
        await (await PostAsync(_acme, HttpAssertions.ProductionTests(AcmeShop), key, """{"title":"Original"}""")).ShouldBeProblem(HttpStatusCode.Conflict, "IDEMPOTENCY_KEY_CONFLICT");

        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task Sixty_four_concurrent_posts_with_one_key_create_exactly_one_request()
    {
        var key = NewKey();
        var count = await api.Store.CountRequests();
        var go = new TaskCompletionSource();
        var racers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            var response = await PostAsync(api.Sandbox.ClientWithKey(AcmeKey), Url, key, """{"title":"Race"}""");
            return (response.StatusCode, Replayed: response.Headers.Contains("Idempotency-Replayed"), Body: await response.Content.ReadAsStringAsync());
        })).ToList();
        go.SetResult();
        var responses = await Task.WhenAll(racers);

        Assert.Equal(count + 1, await api.Store.CountRequests());
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Replayed);
        Assert.All(responses, r => Assert.True(
            r.StatusCode == HttpStatusCode.Created || (r.StatusCode == HttpStatusCode.Conflict && r.Body.Contains("IDEMPOTENCY_REQUEST_IN_PROGRESS")),
            $"{(int)r.StatusCode}: {r.Body}"));
        Assert.Single(responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task One_key_in_two_workspaces_makes_two_requests()
    {
        var key = NewKey();

        var acme = await PostAsync(_acme, Url, key, """{"title":"Shared key"}""");
        var globex = await PostAsync(api.Sandbox.ClientWithKey(GlobexKey), HttpAssertions.ProductionTests(GlobexPay), key, """{"title":"Shared key"}""");

        Assert.Equal(HttpStatusCode.Created, acme.StatusCode);
        Assert.Equal(HttpStatusCode.Created, globex.StatusCode);
        Assert.False(globex.Headers.Contains("Idempotency-Replayed"));
        Assert.NotEqual(acme.Headers.Location, globex.Headers.Location);
    }

    [Fact]
    public async Task A_refused_request_does_not_use_up_the_key()
    {
        var key = NewKey();

        await (await PostAsync(_acme, Url, key, """{"description":"no title"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_MISSING_PARAMETER");
        await (await PostAsync(_acme, Url, key, """{"title":"t","providerIds":["beid"]}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        var corrected = await PostAsync(_acme, Url, key, """{"title":"Corrected"}""");

        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains("Idempotency-Replayed"));
    }

    [Fact]
    public async Task After_24_hours_the_key_makes_a_new_request_and_the_old_record_is_purged()
    {
        var clock = new MutableClock();
        var timeTravelling = api.Platform.NewApi(clock: clock, relay: false);
        var client = timeTravelling.ClientWithKey(AcmeKey);
        var key = NewKey();

        var first = await PostAsync(client, Url, key, """{"title":"Expires"}""");
        clock.Advance(TimeSpan.FromHours(23.9));
        var replay = await PostAsync(client, Url, key, """{"title":"Expires"}""");
        clock.Advance(TimeSpan.FromHours(0.2));
        var afterExpiry = await PostAsync(client, Url, key, """{"title":"Expires"}""");

        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(HttpStatusCode.Created, afterExpiry.StatusCode);
        Assert.False(afterExpiry.Headers.Contains("Idempotency-Replayed"));
        Assert.NotEqual(first.Headers.Location, afterExpiry.Headers.Location);

        clock.Advance(TimeSpan.FromHours(24.1));
        Assert.True(await timeTravelling.Services.GetRequiredService<IdempotencyPurge>().PurgeExpiredAsync(CancellationToken.None) >= 1);
        await using var session = api.Store.QuerySession();
        Assert.Null(await session.LoadAsync<IdempotencyRecord>(IdempotencyRecord.IdFor("ws_acme", key)));
    }

    [Fact]
    public async Task The_key_record_and_the_request_are_committed_together()
    {
        var key = NewKey();
        var created = await PostAsync(_acme, Url, key, """{"title":"Together"}""");
        var id = created.Headers.Location!.OriginalString.Split('/').Last();

        await using var session = api.Store.QuerySession();
        var record = await session.LoadAsync<IdempotencyRecord>(IdempotencyRecord.IdFor("ws_acme", key));
        Assert.NotNull(record);
        Assert.Equal(id, record.RequestId);
        Assert.NotNull(await session.LoadAsync<ChallengeRequestView>(id));
        Assert.Equal(record.CreatedAt + TimeSpan.FromHours(24), record.ExpiresAt);
    }

    [Theory]
    [InlineData("with\ttab")]
    [InlineData("del\u007f")]
    [InlineData("ключ")]
    [InlineData("é")]
    public async Task A_malformed_key_is_400(string key)
    {
        var count = await api.Store.CountRequests();
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent("""{"title":"Bad key"}""", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var problem = await (await _acme.SendAsync(request)).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");

        Assert.Equal("Idempotency-Key", problem.GetProperty("context").GetProperty("field").GetString());
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task A_key_of_255_characters_is_accepted_and_256_refused()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(_acme, Url, new string('k', 200) + Guid.NewGuid().ToString("N")[..22] + new string('!', 33), """{"title":"Long key"}""")).StatusCode);
        await (await PostAsync(_acme, Url, new string('k', 256), """{"title":"Too long"}""")).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
    }

    private static string NewKey() => $"key-{Guid.NewGuid()}";

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return client.SendAsync(request);
    }
}
