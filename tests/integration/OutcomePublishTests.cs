using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// The scheduler's outcome publish, when the broker never confirms it. RabbitMQ.Client 7.2 can leave a
/// publish waiting for its confirm forever after a broker restart (rabbitmq-dotnet-client#1930); the fault
/// suite once saw a scheduler that stopped consuming that way. A platform of its own: its scheduler hangs.
/// </summary>
public sealed class OutcomePublishTests
{
    [Fact]
    public async Task An_outcome_publish_that_never_completes_is_given_up_and_the_request_is_still_scheduled_once()
    {
        var hang = new FirstOutcomePublishHangs();
        await using var platform = await TestPlatform.StartAsync(scheduler: services => services.AddPublishObserver(_ => hang));
        var acme = platform.Sandbox.ClientWithKey(AcmeKey);

        var id = (await (await acme.CreateProductionTest(AcmeBank, new { title = "Unconfirmed outcome" })).ShouldBeJson(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;

        await SchedulingTests.WaitForStatusAsync(acme, AcmeBank, id, "scheduled");
        Assert.True(hang.Attempts >= 2, $"{hang.Attempts} publishes of the outcome: the hung one and at least one after it");
        var booked = await platform.StubBookingsAsync(id);
        Assert.Equal(1, booked.Challenges);
        // The hung publish's message was retried from the start: a second call, answered with the same challenge.
        Assert.True(booked.Calls >= 2 && booked.Answered(200) >= 1, $"the retry did not ask tpas again: {booked}");
        // The request's message is acknowledged: the publish left behind does not hold it.
        await platform.WaitForQueuesToDrainAsync();
        await using var session = platform.Store.QuerySession();
        Assert.Equal(2, (await session.Events.FetchStreamAsync(id)).Count);
    }

    /// <summary>Holds the first outcome publish for ever, deaf even to its cancellation token: the worst form of the client bug.</summary>
    private sealed class FirstOutcomePublishHangs : IPublishObserver
    {
        private int _attempts;
        public int Attempts => _attempts;

        public Task PrePublish<T>(PublishContext<T> context) where T : class =>
            context.Message is ChallengeScheduled && Interlocked.Increment(ref _attempts) == 1
                ? new TaskCompletionSource().Task
                : Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
