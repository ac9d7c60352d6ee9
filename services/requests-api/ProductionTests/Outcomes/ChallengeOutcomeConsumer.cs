using Marten;
using MassTransit;
using Npgsql;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ProductionTests.Waiting;

namespace ProductionTests.RequestsApi.ProductionTests.Outcomes;

/// <summary>
/// Appends the scheduler's outcome to the request's stream; the inline projection updates the view in
/// the same transaction. A request has at most one outcome: a redelivery, or any outcome after the
/// first, changes nothing. The append expects the stream at version 1 (only ChallengeRequested), so
/// two deliveries racing cannot both be recorded.
/// </summary>
public sealed class ChallengeOutcomeConsumer(IDocumentStore store, EventStoreMetrics metrics, TimeProvider clock, ILogger<ChallengeOutcomeConsumer> logger)
    : IConsumer<ChallengeScheduled>, IConsumer<ChallengeFailed>
{
    public Task Consume(ConsumeContext<ChallengeScheduled> context) =>
        RecordAsync(context.Message.RequestId, context.Message.ClientId, context.Message, context.CancellationToken);

    public Task Consume(ConsumeContext<ChallengeFailed> context) =>
        RecordAsync(context.Message.RequestId, context.Message.ClientId, context.Message, context.CancellationToken);

    private async Task RecordAsync(string requestId, string clientId, object outcome, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId });
        // Our own transaction, so the NOTIFY that wakes waiting callers commits with the outcome.
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, shouldAutoCommit: false));

        var view = await session.LoadAsync<ChallengeRequestView>(requestId, ct)
            ?? throw new UnknownRequestException(requestId);
        if (view.ClientId != clientId)
            throw new UnknownRequestException(requestId, $"the outcome names app {clientId}, the request belongs to {view.ClientId}");

        if (view.Status != ChallengeRequestView.Pending)
        {
            logger.LogInformation("Outcome {Outcome} for {RequestId} ignored: the request is already {Status}", outcome.GetType().Name, requestId, view.Status);
            return;
        }

        session.Events.Append(requestId, 2, outcome);
        try
        {
            await session.SaveChangesAsync(ct);
            // Delivered at commit to every API instance, which wakes the callers waiting for this request.
            await using (var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @requestId)", connection, transaction))
            {
                notify.Parameters.AddWithValue("channel", NotificationListener.OutcomeChannel);
                notify.Parameters.AddWithValue("requestId", requestId);
                await notify.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            metrics.OutcomeRecorded(outcome is ChallengeScheduled ? "scheduled" : "failed", clock.GetUtcNow() - view.CreatedAt);
            logger.LogInformation("Recorded {Outcome} for {RequestId}", outcome.GetType().Name, requestId);
        }
        catch (JasperFx.ConcurrencyException)
        {
            logger.LogInformation("Outcome {Outcome} for {RequestId} ignored: another delivery recorded the outcome first", outcome.GetType().Name, requestId);
        }
    }
}

/// <summary>An outcome for a request this service does not have: a poison message, kept in the error queue.</summary>
public sealed class UnknownRequestException(string requestId, string? why = null)
    : Exception($"No challenge request {requestId}{(why is null ? "" : $": {why}")}.");

public sealed class ChallengeOutcomeConsumerDefinition : ConsumerDefinition<ChallengeOutcomeConsumer>
{
    public ChallengeOutcomeConsumerDefinition() => EndpointName = "requests-api-challenge-outcomes";

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ChallengeOutcomeConsumer> consumer, IRegistrationContext context)
    {
        // A database hiccup retries in place; an unknown request is poison and goes straight to the error queue.
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<UnknownRequestException>();
            retry.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        });
    }
}
