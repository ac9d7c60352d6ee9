using System.Diagnostics;
using MassTransit;
using ProductionTests.ServiceDefaults;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Outcomes;

/// <summary>
/// Records the scheduler's outcome on the request's stream (through <see cref="OutcomeWriter"/>, which
/// commits concurrent outcomes together); the inline projection updates the view in the same
/// transaction. A request has at most one outcome: a redelivery, or any outcome after the first,
/// changes nothing. An outcome for a request we do not have is poison: it goes to the error queue.
/// </summary>
public sealed class ChallengeOutcomeConsumer(OutcomeWriter writer, EventStoreMetrics metrics, TimeProvider clock, ILogger<ChallengeOutcomeConsumer> logger)
    : IConsumer<ChallengeScheduled>, IConsumer<ChallengeFailed>
{
    public Task Consume(ConsumeContext<ChallengeScheduled> context) =>
        RecordAsync(context.Message.RequestId, context.Message.ClientId, context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<ChallengeFailed> context) =>
        RecordAsync(context.Message.RequestId, context.Message.ClientId, context.Message, context.CancellationToken);

    private async Task RecordAsync(string requestId, string clientId, object outcome, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId });
        Tag(Activity.Current, requestId, outcome);
        switch (await writer.RecordAsync(new OutcomeWriter.Outcome(requestId, clientId, outcome), ct))
        {
            case OutcomeWriter.Result.Recorded(var requestedAt):
                metrics.OutcomeRecorded(outcome is ChallengeScheduled ? "scheduled" : "failed", (outcome as ChallengeFailed)?.ReasonCode, clock.GetUtcNow() - requestedAt);
                logger.LogDebug("Recorded {Outcome} for {RequestId}", outcome.GetType().Name, requestId);
                break;
            case OutcomeWriter.Result.AlreadyRecorded(var status):
                logger.LogInformation("Outcome {Outcome} for {RequestId} ignored: the request is already {Status}", outcome.GetType().Name, requestId, status);
                break;
            case OutcomeWriter.Result.UnknownRequest(var why):
                throw new UnknownRequestException(requestId, why);
        }
    }

    /// <summary>The consume span (MassTransit's) says which request and, for a failure, why tpas-backend refused it.</summary>
    private static void Tag(Activity? span, string requestId, object outcome)
    {
        if (span is null) return;
        span.SetTag(Telemetry.RequestIdTag, requestId);
        span.SetTag("production_tests.outcome", outcome is ChallengeScheduled ? "scheduled" : "failed");
        if (outcome is ChallengeFailed failed)
        {
            span.SetTag("production_tests.failure.code", failed.ReasonCode);
            span.SetTag("production_tests.failure.reason", failed.Reason);
        }
    }
}

/// <summary>An outcome for a request this service does not have: a poison message, kept in the error queue.</summary>
public sealed class UnknownRequestException(string requestId, string? why = null)
    : Exception($"No challenge request {requestId}{(why is null ? "" : $": {why}")}.");

public sealed class ChallengeOutcomeConsumerDefinition : ConsumerDefinition<ChallengeOutcomeConsumer>
{
    public const string Queue = "requests-api-challenge-outcomes";

    public ChallengeOutcomeConsumerDefinition()
    {
        EndpointName = Queue;
        // Many outcomes in flight at once, so that OutcomeWriter can commit them together.
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ChallengeOutcomeConsumer> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = 128;
        // A database hiccup retries in place; an unknown request is poison and goes straight to the error queue.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<UnknownRequestException>();
            retry.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        });
    }
}
