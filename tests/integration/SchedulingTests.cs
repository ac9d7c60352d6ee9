using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>From POST to outcome through the relay, RabbitMQ, the scheduler and tpas-stub.</summary>
[Collection(ApiCollection.Name)]
public sealed class SchedulingTests(ApiFixture api) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    public Task InitializeAsync() => api.Platform.ResetStubFaultsAsync();
    public Task DisposeAsync() => api.Platform.ResetStubFaultsAsync();

    [Fact]
    public async Task A_created_request_becomes_scheduled_with_its_challenge()
    {
        var id = await CreateAsync(new { title = "Scheduled", providerIds = new[] { "smartid", "bankidse" }, maxStamps = 4 });

        var request = await WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");

        var challengeId = request.GetProperty("challengeId").GetString();
        Assert.StartsWith("chl_", challengeId);
        var item = await ListItemAsync(_acme, AcmeBank, id);
        Assert.Equal("challenge", item.GetProperty("type").GetString());
        var challenge = item.GetProperty("challenge");
        Assert.Equal(challengeId, challenge.GetProperty("id").GetString());
        Assert.Equal("Scheduled", challenge.GetProperty("title").GetString());
        Assert.Equal("Acme Bank", challenge.GetProperty("sponsor").GetProperty("name").GetString());
        Assert.Equal(["smartid", "bankidse"], challenge.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        Assert.True(challenge.GetProperty("isActive").GetBoolean());
        Assert.Equal("first_come", challenge.GetProperty("challengeMode").GetString());
        var booked = await api.Platform.StubBookingsAsync(id);
        Assert.Equal(1, booked.Challenges);   // one challenge per request: the contract with tpas
        Assert.Equal(1, booked.Calls);        // and, with nothing failing, one call to book it
        Assert.Equal(2, await StreamLengthAsync(id));
    }

    [Fact]
    public async Task A_request_the_backend_refuses_becomes_failed_with_the_reason()
    {
        await api.Platform.SetStubFaultsAsync(new { refuseTitles = new[] { "Refuse me" } });

        var id = await CreateAsync(new { title = "Refuse me" });
        var request = await WaitForStatusAsync(_acme, AcmeBank, id, "failed");

        Assert.Equal("CHALLENGE_REFUSED", request.GetProperty("failure").GetProperty("reasonCode").GetString());
        Assert.Contains("Refuse me", request.GetProperty("failure").GetProperty("reason").GetString());
        Assert.False(request.TryGetProperty("challengeId", out _), "a failed request has no challengeId member");
        Assert.Equal("request", (await ListItemAsync(_acme, AcmeBank, id)).GetProperty("type").GetString());
        var booked = await api.Platform.StubBookingsAsync(id);
        Assert.Equal(0, booked.Challenges);
        Assert.Equal(1, booked.Answered(422));   // a refusal is an answer: not asked again
        Assert.Equal(1, booked.Calls);
    }

    [Fact]
    public async Task A_request_made_while_the_backend_is_down_is_scheduled_once_it_is_back()
    {
        await api.Platform.StopStubAsync();
        string id;
        try
        {
            id = await CreateAsync(new { title = "Backend down" });
            // Long enough for the scheduler to have tried and failed a few times.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal("pending", (await GetAsync(_acme, AcmeBank, id)).GetProperty("status").GetString());
        }
        finally
        {
            await api.Platform.RestartStubAsync();
        }

        await WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");
        var booked = await api.Platform.StubBookingsAsync(id);   // the restarted stub counts from its start
        Assert.Equal(1, booked.Challenges);
        Assert.Equal(1, booked.Answered(201));
    }

    [Fact]
    public async Task A_request_while_the_backend_answers_503_is_retried_until_it_recovers()
    {
        await api.Platform.SetStubFaultsAsync(new { down = true });
        var id = await CreateAsync(new { title = "Backend 503" });
        // The backend stays down until the scheduler has met the outage, however long the relay takes to get there
        // (a fixed pause raced it: on a busy machine the first call came after the outage had ended).
        await Eventually.HoldsAsync(async () => (await api.Platform.StubBookingsAsync(id)).Answered(503) >= 1,
            TimeSpan.FromSeconds(30), $"the scheduler to call the backend for {id} during the outage");
        Assert.Equal("pending", (await GetAsync(_acme, AcmeBank, id)).GetProperty("status").GetString());

        await api.Platform.ResetStubFaultsAsync();

        await WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");
        var booked = await api.Platform.StubBookingsAsync(id);
        Assert.True(booked.Answered(503) >= 1, $"the request was never answered 503, so the outage did not touch it: {booked}");
        Assert.Equal(1, booked.Challenges);   // retried through the outage, booked once
        Assert.Equal(1, booked.Answered(201));
    }

    [Fact]
    public async Task A_booking_made_at_the_backend_whose_answer_is_lost_is_retried_into_the_same_one_challenge()
    {
        // The ambiguous case: tpas created the challenge, the scheduler saw a 503.
        await api.Platform.SetStubFaultsAsync(new { lostAnswerRate = 1.0 });
        var id = await CreateAsync(new { title = "Answer lost" });

        var request = await WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");

        var booked = await api.Platform.StubBookingsAsync(id);
        Assert.Equal(1, booked.LostAnswers);
        Assert.Equal(1, booked.Challenges);
        Assert.Equal(2, booked.Calls);           // the lost one, then the retry...
        Assert.Equal(1, booked.Answered(200));   // ...answered with the challenge made by the first
        var challenge = await api.Platform.Stub.GetFromJsonAsync<JsonElement>($"v1/challenges?requestId={id}");
        Assert.Equal(challenge[0].GetProperty("id").GetString(), request.GetProperty("challengeId").GetString());
    }

    [Fact]
    public async Task The_same_ChallengeRequested_delivered_twice_makes_one_challenge_and_one_outcome()
    {
        var id = await CreateAsync(new { title = "Delivered twice" });
        var scheduled = await WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");
        await api.Platform.WaitForQueuesToDrainAsync();

        await using (var session = api.Store.QuerySession())
        {
            var requested = (await session.Events.FetchStreamAsync(id))[0].Data;
            await api.Sandbox.Services.GetRequiredService<IBus>().Publish((ChallengeRequested)requested);
        }
        await api.Platform.WaitForQueuesToDrainAsync();

        var booked = await api.Platform.StubBookingsAsync(id);
        Assert.Equal(1, booked.Challenges);
        Assert.Equal(2, booked.Calls);          // the redelivery asked tpas again...
        Assert.Equal(1, booked.Answered(200));  // ...and got the challenge it had
        Assert.Equal(2, await StreamLengthAsync(id));
        Assert.Equal(scheduled.GetProperty("challengeId").GetString(), (await GetAsync(_acme, AcmeBank, id)).GetProperty("challengeId").GetString());
    }

    [Fact]
    public async Task The_same_outcome_delivered_twice_is_recorded_once()
    {
        // The backend is down, so the only outcomes are the ones this test publishes.
        await api.Platform.SetStubFaultsAsync(new { down = true });
        var id = await CreateAsync(new { title = "Outcome twice" });
        var challenge = new ChallengeSnapshot("chl_manual", "Outcome twice", null, DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow, null, true, "first_come", "Acme Bank", ["bankidse"]);
        var outcome = new ChallengeScheduled(id, AcmeBank, "ws_acme", "chl_manual", challenge, DateTimeOffset.UtcNow);
        var bus = api.Sandbox.Services.GetRequiredService<IBus>();

        await Task.WhenAll(bus.Publish(outcome), bus.Publish(outcome), bus.Publish(outcome with { ChallengeId = "chl_other" }));
        await WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");
        await api.Platform.ResetStubFaultsAsync();
        await api.Platform.WaitForQueuesToDrainAsync();

        Assert.Equal(2, await StreamLengthAsync(id));
        var finalId = (await GetAsync(_acme, AcmeBank, id)).GetProperty("challengeId").GetString();
        Assert.Contains(finalId, new[] { "chl_manual", "chl_other" });
    }

    [Fact]
    public async Task An_outcome_for_an_unknown_request_goes_to_the_error_queue()
    {
        var bus = api.Sandbox.Services.GetRequiredService<IBus>();
        await bus.Publish(new ChallengeFailed($"req_{Guid.NewGuid()}", AcmeBank, "ws_acme", "X", "x", DateTimeOffset.UtcNow));

        await Eventually.HoldsAsync(async () => (await api.Platform.Broker.QueueDepthAsync("requests-api-challenge-outcomes_error"))?.Ready >= 1,
            Patience, "the poison outcome in the error queue");
        // Replicated on a cluster, so a node's loss loses neither the work nor the poison kept for an operator.
        foreach (var queue in new[] { "requests-api-challenge-outcomes", "requests-api-challenge-outcomes_error", "scheduler-challenge-requested" })
            Assert.Equal("quorum", await api.Platform.Broker.QueueTypeAsync(queue));
    }

    [Fact]
    public async Task Outcomes_arriving_together_are_all_recorded_and_a_poison_one_among_them_fails_alone()
    {
        // The backend is down, so the only outcomes are the ones this test publishes, all at once:
        // the outcome writer commits them in batches, and the unknown request must not take its neighbours along.
        await api.Platform.SetStubFaultsAsync(new { down = true });
        var ids = new List<string>();
        for (var i = 0; i < 20; i++) ids.Add(await CreateAsync(new { title = $"Outcome batch {i}" }));
        var errorsBefore = (await api.Platform.Broker.QueueDepthAsync("requests-api-challenge-outcomes_error"))?.Ready ?? 0;
        var bus = api.Sandbox.Services.GetRequiredService<IBus>();

        var outcomes = ids.Select(id => bus.Publish(new ChallengeFailed(id, AcmeBank, "ws_acme", "TEST_REFUSED", "refused by the test", DateTimeOffset.UtcNow))).ToList();
        outcomes.Insert(10, bus.Publish(new ChallengeFailed($"req_{Guid.NewGuid()}", AcmeBank, "ws_acme", "X", "poison", DateTimeOffset.UtcNow)));
        await Task.WhenAll(outcomes);

        foreach (var id in ids) await WaitForStatusAsync(_acme, AcmeBank, id, "failed");
        await Eventually.HoldsAsync(async () => (await api.Platform.Broker.QueueDepthAsync("requests-api-challenge-outcomes_error"))?.Ready == errorsBefore + 1,
            Patience, "exactly the poison outcome in the error queue", stableFor: TimeSpan.FromSeconds(1));
        await api.Platform.ResetStubFaultsAsync();
        await api.Platform.WaitForQueuesToDrainAsync();
        foreach (var id in ids) Assert.Equal(2, await StreamLengthAsync(id));
    }

    private async Task<string> CreateAsync(object body)
    {
        var created = await (await _acme.CreateProductionTest(AcmeBank, body)).ShouldBeJson(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    private async Task<int> StreamLengthAsync(string id)
    {
        await using var session = api.Store.QuerySession();
        return (await session.Events.FetchStreamAsync(id)).Count;
    }

    internal static async Task<JsonElement> GetAsync(HttpClient client, string clientId, string id) =>
        await (await client.GetAsync($"{HttpAssertions.ProductionTests(clientId)}/{id}")).ShouldBeJson(HttpStatusCode.OK);

    internal static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string clientId, string id, string status)
    {
        JsonElement last = default;
        await Eventually.HoldsAsync(async () =>
        {
            last = await GetAsync(client, clientId, id);
            return last.GetProperty("status").GetString() == status;
        }, Patience, $"{id} to become {status}");
        return last;
    }

    private static async Task<JsonElement> ListItemAsync(HttpClient client, string clientId, string id)
    {
        var list = await (await client.GetAsync(HttpAssertions.ProductionTests(clientId))).ShouldBeJson(HttpStatusCode.OK);
        return list.EnumerateArray().Single(i => i.GetProperty("request").GetProperty("id").GetString() == id);
    }
}
