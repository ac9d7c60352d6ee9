using MassTransit;
using ProductionTests.Contracts;
using ProductionTests.Scheduler.Tpas;

namespace ProductionTests.Scheduler.Scheduling;

/// <summary>
/// Books each requested challenge with tpas-backend and publishes the outcome. The in-memory outbox
/// holds the outcome until the consumer has succeeded, so a retried attempt never publishes twice; a
/// redelivery of the same request asks tpas-backend again and gets the same challenge back.
/// </summary>
public sealed class ScheduleChallengeConsumer(TpasClient tpas, TimeProvider clock, ILogger<ScheduleChallengeConsumer> logger) : IConsumer<ChallengeRequested>
{
    public async Task Consume(ConsumeContext<ChallengeRequested> context)
    {
        var request = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = request.RequestId });
        switch (await tpas.CreateChallengeAsync(request, context.CancellationToken))
        {
            case TpasClient.Created(var challenge):
                logger.LogDebug("Scheduled {RequestId} as challenge {ChallengeId}", request.RequestId, challenge.Id);
                await context.Publish(new ChallengeScheduled(request.RequestId, request.ClientId, request.WorkspaceId, challenge.Id, challenge, clock.GetUtcNow()));
                break;
            case TpasClient.Refused(var code, var reason, var retryable):
                logger.LogInformation("tpas-backend refused {RequestId}: {Code} {Reason}", request.RequestId, code, reason);
                await context.Publish(new ChallengeFailed(request.RequestId, request.ClientId, request.WorkspaceId, code, reason, clock.GetUtcNow(), retryable));
                break;
        }
    }
}

/// <summary>Configuration section <c>Scheduling</c>: how long a transient failure is retried before the message goes to the error queue.</summary>
public sealed class SchedulingOptions
{
    public int RetryLimit { get; set; } = 10;
    public int MinRetryIntervalMs { get; set; } = 200;
    public int MaxRetryIntervalMs { get; set; } = 30_000;
}

public sealed class ScheduleChallengeConsumerDefinition : ConsumerDefinition<ScheduleChallengeConsumer>
{
    private readonly SchedulingOptions _options;

    public ScheduleChallengeConsumerDefinition(Microsoft.Extensions.Options.IOptions<SchedulingOptions> options)
    {
        _options = options.Value;
        EndpointName = "scheduler-challenge-requested";
        // Booking is a call to tpas-backend: many in flight at once keep the scheduler off the critical path.
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ScheduleChallengeConsumer> consumer, IRegistrationContext context)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.PrefetchCount = 128;
        // Only an unavailable backend is worth retrying (with growing pauses); anything else (a bug, a
        // message that cannot be read) goes to the scheduler-challenge-requested_error queue at once.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<TpasUnavailableException>();
            retry.Exponential(_options.RetryLimit,
                TimeSpan.FromMilliseconds(_options.MinRetryIntervalMs),
                TimeSpan.FromMilliseconds(_options.MaxRetryIntervalMs),
                TimeSpan.FromMilliseconds(_options.MinRetryIntervalMs));
        });
        endpoint.UseInMemoryOutbox(context);
    }
}
