using JasperFx;
using Marten;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Waiting;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Webhooks;

namespace ProductionTests.RequestsApi.Outcomes;

/// <summary>
/// Appends outcomes to their requests' streams, concurrent ones together (see
/// <see cref="BatchingWriter{TItem,TResult}"/>), and NOTIFYs each request id in the same transaction so
/// that every API instance wakes the callers waiting for it at commit. A request takes at most one
/// outcome: the append expects the stream at version 1 (only ChallengeRequested), so two deliveries
/// racing cannot both be recorded, and one already recorded changes nothing. The outcomes' webhook deliveries are
/// queued in the same transaction.
/// </summary>
public sealed class OutcomeWriter(IDocumentStore store, WriterConnections connections, WebhookIntake webhooks, ILogger<OutcomeWriter> logger)
    : BatchingWriter<OutcomeWriter.Outcome, OutcomeWriter.Result>(logger)
{
    public sealed record Outcome(string RequestId, string ClientId, object Event);

    public abstract record Result
    {
        /// <summary>Appended; <see cref="RequestedAt"/> is when the request was created.</summary>
        public sealed record Recorded(DateTimeOffset RequestedAt) : Result;
        public sealed record AlreadyRecorded(string Status) : Result;
        public sealed record UnknownRequest(string? Why) : Result;
    }

    /// <summary>Returns once the outcome is committed (or found to change nothing); throws when the service is stopping.</summary>
    public async Task<Result> RecordAsync(Outcome outcome, CancellationToken ct) =>
        await SubmitAsync(outcome, ct) ?? throw new OperationCanceledException("The service is stopping.");

    protected override string SpanName => "outcome append";
    protected override string RequestIdOf(Outcome item) => item.RequestId;

    protected override async Task CommitTogetherAsync(IReadOnlyList<Pending> batch)
    {
        await using var connection = connections.Create();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, shouldAutoCommit: false));

        var views = (await session.LoadManyAsync<ChallengeRequestView>(batch.Select(p => p.Item.RequestId).Distinct())).ToDictionary(v => v.Id);
        var results = new Dictionary<Pending, Result>();
        var appended = new HashSet<string>();
        var events = new List<AppendedRequestEvent>();
        var notifications = new List<string>();
        foreach (var pending in batch)
        {
            var outcome = pending.Item;
            var view = views.GetValueOrDefault(outcome.RequestId);
            if (view is null) results[pending] = new Result.UnknownRequest(null);
            else if (view.ClientId != outcome.ClientId)
                results[pending] = new Result.UnknownRequest($"the outcome names app {outcome.ClientId}, the request belongs to {view.ClientId}");
            else if (view.Status != ChallengeRequestView.Pending) results[pending] = new Result.AlreadyRecorded(view.Status);
            // A second outcome for the same request in this batch: the first one wins.
            else if (!appended.Add(outcome.RequestId)) results[pending] = new Result.AlreadyRecorded("recorded by another delivery");
            else
            {
                session.Events.Append(outcome.RequestId, 2, outcome.Event);
                events.Add(new AppendedRequestEvent(outcome.RequestId, 2, outcome.ClientId, outcome.Event, view));
                results[pending] = new Result.Recorded(view.CreatedAt);
                notifications.Add(OutcomeNotifications.Payload(outcome.RequestId, pending.Span));
            }
        }

        if (appended.Count > 0)
        {
            // In the same round trip as the appends (count(): Marten reads a number back); PostgreSQL delivers
            // the notifications only if the transaction commits.
            session.QueueSqlCommand("SELECT count(pg_notify(?, id)) FROM unnest(?) AS t(id)", OutcomeNotifications.Channel, notifications.ToArray());
            await webhooks.QueueAsync(session, events, CancellationToken.None);
            try
            {
                await session.SaveChangesAsync();
            }
            catch (ConcurrencyException) when (batch.Count == 1)
            {
                // Another delivery (another instance) recorded this request's outcome since we read the view.
                batch[0].Result.TrySetResult(new Result.AlreadyRecorded("recorded by another delivery"));
                return;
            }
            await transaction.CommitAsync();
        }

        foreach (var (pending, result) in results) pending.Result.TrySetResult(result);
    }
}
