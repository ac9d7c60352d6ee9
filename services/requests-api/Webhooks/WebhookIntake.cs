using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;
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
/// Wakes the dispatcher when deliveries were committed: at once on the instance whose intake queued them, and on every
/// instance through PostgreSQL's NOTIFY on <see cref="Channel"/> (sent in the intake's transaction, the payload the highest
/// event sequence queued), so a dispatcher on another instance does not wait for its next poll. A lost notification costs
/// at most a poll.
/// </summary>
public sealed class WebhookDispatchSignal : INotificationHandler
{
    public const string Channel = "production_tests_webhook_deliveries";
    public const string NotifySql = $"SELECT pg_notify('{Channel}', ?::text)";

    string INotificationHandler.Channel => Channel;
    void INotificationHandler.Notified(string payload) => Set();
    void INotificationHandler.MissedSome() => Set();

    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Set()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already set */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// The dispatcher's intake: an async daemon subscription (beside the relay) over the request events. For each
/// committed event of a type an app subscribed to, it queues one delivery row with the envelope, in the
/// transaction that records its progress, so an event becomes a delivery exactly once, even across crashes.
/// The envelope's data is the request folded up to that event (the one fold, <see cref="ChallengeRequestProjection"/>).
/// </summary>
public sealed class WebhookIntake : SubscriptionBase
{
    public const string IntakeName = "webhook-intake";
    public const string ShardName = IntakeName + ":All";

    private readonly WebhookDispatchSignal _signal;
    private readonly JsonSerializerOptions _json;

    public WebhookIntake(WebhookDispatchSignal signal, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        _signal = signal;
        _json = json.Value.SerializerOptions;
        Name = IntakeName;
        IncludeType<ChallengeRequested>();
        IncludeType<ChallengeScheduled>();
        IncludeType<ChallengeFailed>();
    }

    public static string? EventTypeOf(object data) => data switch
    {
        ChallengeRequested => WebhookEventTypes.Requested,
        ChallengeScheduled => WebhookEventTypes.Scheduled,
        ChallengeFailed => WebhookEventTypes.Failed,
        _ => null,
    };

    private static string? ClientOf(object data) => data switch
    {
        ChallengeRequested r => r.ClientId,
        ChallengeScheduled s => s.ClientId,
        ChallengeFailed f => f.ClientId,
        _ => null,
    };

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var events = page.Events.Where(e => EventTypeOf(e.Data) is not null && e.StreamKey is not null).ToList();
        if (events.Count == 0) return NullChangeListener.Instance;
        var clients = events.Select(e => ClientOf(e.Data)!).Distinct().Select(WebhookConfigView.StreamId).ToArray();
        var configs = (await operations.LoadManyAsync<WebhookConfigView>(cancellationToken, clients))
            .Where(c => c.Enabled && c.Url is not null)
            .ToDictionary(c => c.ClientId);
        var wanted = events.Where(e => configs.TryGetValue(ClientOf(e.Data)!, out var config) && config.EventTypes.Contains(EventTypeOf(e.Data)!)).ToList();
        if (wanted.Count == 0) return NullChangeListener.Instance;
        var views = await ViewsAfterAsync(operations, wanted, cancellationToken);
        var queued = 0;
        foreach (var e in wanted)
        {
            var type = EventTypeOf(e.Data)!;
            var config = configs[ClientOf(e.Data)!];
            var view = views.GetValueOrDefault(e.Id);
            if (view is null) continue;
            var data = new WebhookEventData(e.StreamKey!, e.Version, ChallengeRequestResponse.From(view),
                e.Data is ChallengeScheduled s ? ChallengeResponse.From(s.Challenge) : null,
                e.Data is ChallengeFailed f ? new FailureResponse(f.ReasonCode, f.Reason, f.Retryable) : null);
            var envelope = new WebhookEnvelope(type, e.Id.ToString(), e.Timestamp, WebhookEnvelope.CurrentApiVersion, config.ClientId, data);
            operations.QueueSqlCommand(WebhookDeliveries.Insert, Guid.CreateVersion7(), config.ClientId, e.Id, type, e.StreamKey!, e.Version, e.Sequence,
                JsonSerializer.Serialize(envelope, _json));
            queued++;
        }
        if (queued == 0) return NullChangeListener.Instance;
        operations.QueueSqlCommand(WebhookDispatchSignal.NotifySql, wanted.Max(e => e.Sequence).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new WakeDispatcher(_signal);
    }

    /// <summary>
    /// The request as it stood right after each event, without reading its history where the fold makes that needless
    /// (reading the page's histories with one query each time kept the intake seconds behind a busy relay): a stream's
    /// first event, <see cref="ChallengeRequested"/>, makes the view alone; and since the first outcome decides and nothing
    /// after it changes the view (<see cref="ChallengeRequestProjection.Step"/>), the view right after any outcome is the
    /// stored one once it is decided (the inline projection stored it with the outcome). Anything else (a view missing or
    /// still pending, as after a tampered store) is folded from the stream's events up to the event, as before.
    /// </summary>
    private static async Task<Dictionary<Guid, ChallengeRequestView?>> ViewsAfterAsync(IDocumentOperations operations, List<IEvent> wanted, CancellationToken ct)
    {
        var after = new Dictionary<Guid, ChallengeRequestView?>();
        foreach (var e in wanted)
            if (e is { Version: 1, Data: ChallengeRequested requested }) after[e.Id] = ChallengeRequestView.From(requested);

        var outcomes = wanted.Where(e => e.Data is ChallengeScheduled or ChallengeFailed).ToList();
        if (outcomes.Count > 0)
        {
            var stored = (await operations.LoadManyAsync<ChallengeRequestView>(ct, outcomes.Select(e => e.StreamKey!).Distinct().ToArray()))
                .ToDictionary(v => v.Id);
            foreach (var e in outcomes)
                if (stored.GetValueOrDefault(e.StreamKey!) is { } view && view.Status != ChallengeRequestView.Pending) after[e.Id] = view;
        }

        var rest = wanted.Where(e => !after.ContainsKey(e.Id)).ToList();
        if (rest.Count == 0) return after;
        var histories = await HistoriesAsync(operations, rest, ct);
        foreach (var e in rest)
            after[e.Id] = ChallengeRequestProjection.Fold(histories.GetValueOrDefault(e.StreamKey!, []).Where(h => h.Version <= e.Version).Select(h => h.Data));
        return after;
    }

    /// <summary>The events of the given events' streams, up to the highest of their versions, in one query.</summary>
    private static async Task<Dictionary<string, List<IEvent>>> HistoriesAsync(IDocumentOperations operations, List<IEvent> wanted, CancellationToken ct)
    {
        var streams = wanted.Select(e => e.StreamKey!).Distinct().ToArray();
        var upTo = wanted.Max(e => e.Version);
        var history = await operations.Events.QueryAllRawEvents()
            .Where(h => h.StreamKey!.IsOneOf(streams) && h.Version <= upTo)
            .ToListAsync(ct);
        return history.GroupBy(h => h.StreamKey!).ToDictionary(g => g.Key, g => g.OrderBy(h => h.Version).ToList());
    }

    private sealed class WakeDispatcher(WebhookDispatchSignal signal) : IChangeListener
    {
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            signal.Set();
            return Task.CompletedTask;
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }
}
