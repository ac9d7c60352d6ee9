using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.Extensions.Options;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>A delivery's body: Hopae's envelope.</summary>
/// <param name="Event"><c>production_test.requested</c>, <c>.scheduled</c> or <c>.failed</c>.</param>
/// <param name="EventId">The stored event's id: the same on every delivery of this event, to dedupe by.</param>
/// <param name="Timestamp">When the event was committed.</param>
public sealed record WebhookEnvelope(string Event, string EventId, DateTimeOffset Timestamp, string ApiVersion, string ClientId, WebhookEventData Data)
{
    public const string CurrentApiVersion = "v1";
}

/// <param name="RequestId">The production test (its stream).</param>
/// <param name="StreamVersion">The event's position in the request's stream (1 requested, 2 the outcome): order by it, deliveries may arrive out of order.</param>
/// <param name="Request">The request as it stood right after this event.</param>
/// <param name="Challenge">With <c>production_test.scheduled</c>: the challenge tpas-backend created.</param>
/// <param name="Failure">With <c>production_test.failed</c>: why.</param>
public sealed record WebhookEventData(
    string RequestId, long StreamVersion, ChallengeRequestResponse Request,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChallengeResponse? Challenge,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FailureResponse? Failure);

/// <summary>
/// Wakes the dispatcher when deliveries were committed: on every instance, this one included, through PostgreSQL's NOTIFY
/// on <see cref="Channel"/> (sent by <see cref="WebhookIntake.QueueSql"/> in the event's transaction, the payload the highest
/// event sequence queued), so no dispatcher waits for its next poll. A lost notification costs at most a poll.
/// </summary>
public sealed class WebhookDispatchSignal : INotificationHandler
{
    public const string Channel = "production_tests_webhook_deliveries";

    string INotificationHandler.Channel => Channel;
    void INotificationHandler.Notified(string payload) => Set();
    void INotificationHandler.MissedSome() => Set();

    private readonly WakeSignal _signal = new();

    public void Set() => _signal.Set();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>A request event being appended, as the webhook intake needs it: <paramref name="ViewBefore"/> is the request before it (null for the first).</summary>
public sealed record AppendedRequestEvent(string StreamId, long Version, string ClientId, object Data, ChallengeRequestView? ViewBefore);

/// <summary>
/// The dispatcher's intake: the writers that append request events (<c>CreateWriter</c>, <c>OutcomeWriter</c>) hand their
/// events to <see cref="QueueAsync"/> before they save, and it queues one delivery row per event of a type the app subscribed
/// to, in the same transaction as the event: an event becomes a delivery exactly once, at its commit, with no daemon cycle
/// in between (decision 0021). The envelope's data is the request folded up to that event
/// (<see cref="ChallengeRequestProjection.Step"/>); the event's id, sequence and timestamp are the stored ones, taken
/// from <c>mt_events</c> in the statement, since the database assigns them.
/// </summary>
public sealed class WebhookIntake(WebhookDeliveries deliveries, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public static string? EventTypeOf(object data) => data switch
    {
        ChallengeRequested => WebhookEventTypes.Requested,
        ChallengeScheduled => WebhookEventTypes.Scheduled,
        ChallengeFailed => WebhookEventTypes.Failed,
        _ => null,
    };

    /// <summary>
    /// One statement, run after the session's appends (Marten sends a session's event operations before the commands it
    /// queues): for each event whose app has an enabled webhook wanting its type, the row with the envelope, completed with
    /// the stored event's id and timestamp; then a NOTIFY with the highest sequence queued, which wakes every instance's
    /// dispatcher at commit. The configuration is read in the transaction: an event is queued if its app's webhook is
    /// enabled when the event is written.
    /// </summary>
    public static readonly string QueueSql = $"""
        WITH wanted AS (
          SELECT w.delivery_id, w.client_id, e.id AS event_id, w.event_type, e.stream_id, e.version, e.seq_id,
                 w.head || e.id::text || '","timestamp":"' || to_char(e.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || w.tail AS body
          FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[])
               AS w(delivery_id, client_id, event_type, stream_id, version, head, tail)
          JOIN {WebhookConfigView.Table} c ON c.id = '{WebhookConfigView.StreamPrefix}' || w.client_id
          JOIN {EventStoreSetup.Schema}.mt_events e ON e.stream_id = w.stream_id AND e.version = w.version
          WHERE c.data->>'Enabled' = 'true' AND c.data->>'Url' IS NOT NULL AND c.data->'EventTypes' @> to_jsonb(w.event_type)
        ), queued AS (
          INSERT INTO {WebhookDeliveries.Table} (id, client_id, event_id, event_type, stream_id, stream_version, sequence, body, status, created_at, next_attempt_at)
          SELECT delivery_id, client_id, event_id, event_type, stream_id, version, seq_id, body, 'pending', now(), now() FROM wanted
          ON CONFLICT (client_id, event_id) DO NOTHING
          RETURNING sequence)
        SELECT count(pg_notify('{WebhookDispatchSignal.Channel}', highest::text)) FROM (SELECT max(sequence) AS highest FROM queued) q WHERE highest IS NOT NULL
        """;

    /// <summary>Queues the deliveries of <paramref name="events"/> in <paramref name="session"/>: call it after appending them, before saving.</summary>
    public async Task QueueAsync(IDocumentSession session, IReadOnlyList<AppendedRequestEvent> events, CancellationToken ct)
    {
        await deliveries.EnsureSchemaAsync(ct);
        var ids = new List<Guid>(events.Count);
        var clients = new List<string>(events.Count);
        var types = new List<string>(events.Count);
        var streams = new List<string>(events.Count);
        var versions = new List<long>(events.Count);
        var heads = new List<string>(events.Count);
        var tails = new List<string>(events.Count);
        foreach (var e in events)
        {
            if (EventTypeOf(e.Data) is not { } type) continue;
            var (head, tail) = EnvelopeAround(type, e, _json);
            ids.Add(Guid.CreateVersion7());
            clients.Add(e.ClientId);
            types.Add(type);
            streams.Add(e.StreamId);
            versions.Add(e.Version);
            heads.Add(head);
            tails.Add(tail);
        }
        if (ids.Count == 0) return;
        session.QueueSqlCommand(QueueSql, ids.ToArray(), clients.ToArray(), types.ToArray(), streams.ToArray(), versions.ToArray(), heads.ToArray(), tails.ToArray());
    }

    /// <summary>What the envelope's event id and timestamp stand in for until the database fills them in.</summary>
    private static readonly string Placeholder = $"\"eventId\":\"{Guid.Empty}\",\"timestamp\":\"1970-01-01T00:00:00.000Z\"";

    /// <summary>
    /// The envelope's JSON before its event id and after its timestamp: the database completes it as
    /// <c>head + id + "\",\"timestamp\":\"" + timestamp (UTC, milliseconds, as the API writes times) + tail</c>.
    /// </summary>
    public static (string Head, string Tail) EnvelopeAround(string type, AppendedRequestEvent e, JsonSerializerOptions json)
    {
        var view = ChallengeRequestProjection.Step(e.ViewBefore?.Copy(), e.Data)
            ?? throw new InvalidOperationException($"{e.Data.GetType().Name} at version {e.Version} of {e.StreamId} makes no request view.");
        var data = new WebhookEventData(e.StreamId, e.Version, ChallengeRequestResponse.From(view),
            e.Data is ChallengeScheduled s ? ChallengeResponse.From(s.Challenge) : null,
            e.Data is ChallengeFailed f ? new FailureResponse(f.ReasonCode, f.Reason, f.Retryable) : null);
        var body = JsonSerializer.Serialize(new WebhookEnvelope(type, Guid.Empty.ToString(), DateTimeOffset.UnixEpoch, WebhookEnvelope.CurrentApiVersion, e.ClientId, data), json);
        var at = body.IndexOf(Placeholder, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("The webhook envelope no longer writes its event id and timestamp side by side.");
        return (body[..(at + "\"eventId\":\"".Length)], body[(at + Placeholder.Length - 1)..]);
    }
}
