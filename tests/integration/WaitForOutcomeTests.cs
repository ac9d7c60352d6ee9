using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary><c>Prefer: wait=N</c> on GET: answered on the outcome, or at the deadline, without polling.</summary>
[Collection(ApiCollection.Name)]
public sealed class WaitForOutcomeTests(ApiFixture api) : IAsyncLifetime
{
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    public Task InitializeAsync() => api.Platform.ResetStubFaultsAsync();
    public Task DisposeAsync() => api.Platform.ResetStubFaultsAsync();

    [Fact]
    public async Task A_waiting_caller_is_answered_when_the_outcome_arrives_before_the_deadline()
    {
        await api.Platform.SetStubFaultsAsync(new { down = true });
        var id = await CreateAsync(_acme);
        // The waiter asks the production instance; either instance may consume the outcome: the
        // notification reaches both through PostgreSQL.
        var waiting = WaitAsync(api.Production.ClientWithKey(AcmeProdKey), id, 30);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);

        await api.Platform.ResetStubFaultsAsync();
        var (response, body, elapsed) = await waiting;

        Assert.Equal("scheduled", body.GetProperty("status").GetString());
        Assert.Equal("wait=30", response.Headers.GetValues("Preference-Applied").Single());
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"answered only at the deadline ({elapsed})");
    }

    [Fact]
    public async Task Without_an_outcome_the_caller_gets_the_pending_request_at_the_deadline()
    {
        await api.Platform.SetStubFaultsAsync(new { down = true });
        var id = await CreateAsync(_acme);

        var (response, body, elapsed) = await WaitAsync(_acme, id, 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("wait=1", response.Headers.GetValues("Preference-Applied").Single());
        Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"answered before the deadline ({elapsed}) though nothing happened");
    }

    [Fact]
    public async Task A_request_already_decided_is_answered_at_once_and_a_wait_over_30_is_capped()
    {
        var id = await CreateAsync(_acme);
        await SchedulingTests.WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");

        var (response, body, _) = await WaitAsync(_acme, id, 600);

        Assert.Equal("scheduled", body.GetProperty("status").GetString());
        Assert.Equal("wait=30", response.Headers.GetValues("Preference-Applied").Single());
    }

    [Theory]
    [InlineData("wait=abc")]
    [InlineData("wait=-1")]
    [InlineData("respond-async")]
    public async Task A_malformed_or_other_preference_is_ignored(string prefer)
    {
        var id = await CreateAsync(_acme);
        var request = new HttpRequestMessage(HttpMethod.Get, $"{HttpAssertions.ProductionTests(AcmeBank)}/{id}");
        request.Headers.TryAddWithoutValidation("Prefer", prefer);

        var response = await _acme.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Preference-Applied"));
    }

    [Fact]
    public async Task Many_concurrent_waiters_on_several_requests_are_all_answered_with_the_outcome()
    {
        await api.Platform.SetStubFaultsAsync(new { down = true });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await CreateAsync(_acme));
        var waiters = Enumerable.Range(0, 100)
            .Select(i => WaitAsync(i % 2 == 0 ? api.Sandbox.ClientWithKey(AcmeKey) : api.Production.ClientWithKey(AcmeProdKey), ids[i % ids.Count], 30))
            .ToList();
        await Task.Delay(TimeSpan.FromSeconds(1));

        await api.Platform.ResetStubFaultsAsync();
        var answers = await Task.WhenAll(waiters);

        Assert.All(answers, a => Assert.Equal("scheduled", a.Body.GetProperty("status").GetString()));
        Assert.All(answers, a => Assert.True(a.Elapsed < TimeSpan.FromSeconds(30)));
    }

    private static async Task<string> CreateAsync(HttpClient client)
    {
        var created = await (await client.CreateProductionTest(AcmeBank, new { title = "Wait for me" })).ShouldBeJson(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Body, TimeSpan Elapsed)> WaitAsync(HttpClient client, string id, int seconds)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{HttpAssertions.ProductionTests(AcmeBank)}/{id}");
        request.Headers.TryAddWithoutValidation("Prefer", $"wait={seconds}");
        var stopwatch = Stopwatch.StartNew();
        var response = await client.SendAsync(request);
        var body = await response.ShouldBeJson(HttpStatusCode.OK);
        return (response, body, stopwatch.Elapsed);
    }
}
