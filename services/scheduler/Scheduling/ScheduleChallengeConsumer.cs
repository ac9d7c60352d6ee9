using System.Diagnostics;
using MassTransit;
using ProductionTests.ServiceDefaults;
using Microsoft.Extensions.Options;
using ProductionTests.Contracts;
using ProductionTests.Scheduler.Tpas;

namespace ProductionTests.Scheduler.Scheduling;

/// <summary>
/// Books each requested challenge with tpas-backend and publishes the outcome, its last step: a retried or
/// redelivered request asks tpas-backend again and gets the same challenge back, and requests-api records
/// only the first outcome of a request.
/// </summary>
public sealed class ScheduleChallengeConsumer(TpasClient tpas, IBus bus, TimeProvider clock, IOptions<SchedulingOptions> options, ILogger<ScheduleChallengeConsumer> logger)
    : IConsumer<ChallengeRequested>
{
    public async Task Consume(ConsumeContext<ChallengeRequested> context)
    {
        var request = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = request.RequestId });
        Activity.Current?.SetTag(Telemetry.RequestIdTag, request.RequestId);
        // One span per attempt (a retry runs Consume again), with tpas-backend's HTTP call inside it.
        using var attempt = Telemetry.Source.StartActivity("schedule challenge");
        attempt?.SetTag(Telemetry.RequestIdTag, request.RequestId);
        attempt?.SetTag("production_tests.attempt", context.GetRetryAttempt() + 1);
        TpasClient.Answer answer;
        try
        {
            answer = await tpas.CreateChallengeAsync(request, context.CancellationToken);
        }
        catch (Exception e) when (attempt is not null)
        {
            attempt.SetStatus(ActivityStatusCode.Error, e.Message);
            attempt.SetTag("error.type", e.GetType().Name);
            throw;
        }
        switch (answer)
        {
            case TpasClient.Created(var challenge):
                logger.LogDebug("Scheduled {RequestId} as challenge {ChallengeId}", request.RequestId, challenge.Id);
                attempt?.SetTag("production_tests.challenge_id", challenge.Id);
                await PublishAsync(context, new ChallengeScheduled(request.RequestId, request.ClientId, request.WorkspaceId, challenge.Id, challenge, clock.GetUtcNow()));
                break;
            case TpasClient.Refused(var code, var reason, var retryable):
                logger.LogInformation("tpas-backend refused {RequestId}: {Code} {Reason}", request.RequestId, code, reason);
                attempt?.SetStatus(ActivityStatusCode.Error, $"{code}: {reason}");
                attempt?.SetTag("production_tests.failure.code", code);
                attempt?.SetTag("production_tests.failure.reason", reason);
                await PublishAsync(context, new ChallengeFailed(request.RequestId, request.ClientId, request.WorkspaceId, code, reason, clock.GetUtcNow(), retryable));
                break;
        }
    }

    /// <summary>
    /// Publishes the outcome and waits for the broker's confirm, but not for ever: RabbitMQ.Client 7.2 can leave a
    /// publish waiting for a confirm that never comes after a broker restart (rabbitmq-dotnet-client#1930). Each
    /// such wait kept its message unacknowledged and held one of the endpoint's slots for good, and once all were
    /// held the scheduler stopped consuming without a word (seen once in the fault suite). Given up after the
    /// timeout, the message is retried.
    /// <para>
    /// Published through the bus, not the consume context: MassTransit acknowledges a message only once every
    /// publish made through its consume context has completed, so a hung one given up here would still hold the
    /// message. The conversation and initiator ids that the consume context would copy are set here.
    /// </para>
    /// </summary>
    private async Task PublishAsync<T>(ConsumeContext context, T outcome) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(options.Value.PublishTimeoutMs));
        try
        {
            // WaitAsync too: a hung publish that does not listen to its token is left behind rather than awaited.
            await bus.Publish(outcome, sent =>
            {
                sent.ConversationId = context.ConversationId;
                sent.InitiatorId = context.MessageId;
            }, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw new OutcomeNotConfirmedException($"The broker did not confirm the outcome within {options.Value.PublishTimeoutMs} ms");
        }
    }
}

/// <summary>The broker did not confirm an outcome in time; the request is retried like an unavailable backend.</summary>
public sealed class OutcomeNotConfirmedException(string message) : Exception(message);

/// <summary>
/// Configuration section <c>Scheduling</c>: how long a transient failure is retried before the message goes to
/// the error queue, and how long the broker may take to confirm an outcome.
/// </summary>
public sealed class SchedulingOptions
{
    public int PublishTimeoutMs { get; set; } = 10_000;
    public int RetryLimit { get; set; } = 10;
    public int MinRetryIntervalMs { get; set; } = 200;
    public int MaxRetryIntervalMs { get; set; } = 30_000;
}

public sealed class ScheduleChallengeConsumerDefinition : ConsumerDefinition<ScheduleChallengeConsumer>
{
    public const string Queue = "scheduler-challenge-requested";
    private readonly SchedulingOptions _options;

    public ScheduleChallengeConsumerDefinition(IOptions<SchedulingOptions> options)
    {
        _options = options.Value;
        EndpointName = Queue;
        // Booking is a call to tpas-backend: many in flight at once keep the scheduler off the critical path.
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ScheduleChallengeConsumer> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = 128;
        // Only an unavailable backend or an unconfirmed outcome is worth retrying (with growing pauses); anything
        // else (a bug, a message that cannot be read) goes to the scheduler-challenge-requested_error queue at once.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<TpasUnavailableException>();
            retry.Handle<OutcomeNotConfirmedException>();
            retry.Exponential(_options.RetryLimit,
                TimeSpan.FromMilliseconds(_options.MinRetryIntervalMs),
                TimeSpan.FromMilliseconds(_options.MaxRetryIntervalMs),
                TimeSpan.FromMilliseconds(_options.MinRetryIntervalMs));
        });
    }
}
