using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using System.Diagnostics;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Relay;

/// <summary>
/// The outbox relay: the event store is the outbox. The async daemon hands this subscription each page
/// of committed ChallengeRequested events; it publishes them to RabbitMQ, the event id as MessageId,
/// all of a page at once (one awaited publish at a time waits for each broker confirm). Only when the
/// whole page is confirmed does the daemon record progress, so a crash replays the page and a broker
/// outage holds it until the broker is back: delivery is at least once, and consumers are idempotent.
/// </summary>
public sealed class ChallengeRequestedRelay : SubscriptionBase
{
    public const string RelayName = "challenge-requested-relay";
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    private readonly IBus _bus;
    private readonly EventStoreMetrics _metrics;
    private readonly ILogger<ChallengeRequestedRelay> _logger;
    private readonly bool _dropTraceContext;

    public ChallengeRequestedRelay(IBus bus, EventStoreMetrics metrics, IConfiguration configuration, ILogger<ChallengeRequestedRelay> logger)
    {
        _bus = bus;
        _metrics = metrics;
        _logger = logger;
        // A test seam only (Relay:DropTraceContext=true): publish outside the request's trace, to show that the
        // trace check of tests/dashboard catches a hop that loses the context.
        _dropTraceContext = configuration.GetValue("Relay:DropTraceContext", false);
        Name = RelayName;
        foreach (var type in RequestEvents.Relayed) IncludeType(type.Type);
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var pending = page.Events.Where(e => RequestEvents.Of(e.Data)?.Relayed == true).ToList();
        var pause = FirstPause;
        // The page is retried here until the broker confirmed every event, rather than failed back to the
        // daemon: a failed page makes Marten rewind and re-dispatch ranges, and after a broker outage
        // that ended in ProgressionProgressOutOfOrderException and a relay stopped until the next restart
        // (found by the fault suite). Only shutdown (the daemon's token) ends the loop early.
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            var attempts = pending.Select(e => (Event: e, Publish: PublishAsync(e, timeout.Token))).ToList();
            try { await Task.WhenAll(attempts.Select(a => a.Publish)); }
            catch (Exception) when (!cancellationToken.IsCancellationRequested) { }

            pending = attempts.Where(a => !a.Publish.IsCompletedSuccessfully).Select(a => a.Event).ToList();
            if (pending.Count == 0) break;

            var error = attempts.First(a => a.Publish.IsFaulted || a.Publish.IsCanceled).Publish.Exception?.GetBaseException();
            _logger.LogWarning(error, "The broker did not confirm {Count} of the page's events; retrying in {Pause} ms", pending.Count, (int)pause.TotalMilliseconds);
            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
        }

        _logger.LogDebug("Relayed {Count} events up to sequence {Sequence}", page.Events.Count, page.SequenceCeiling);
        return NullChangeListener.Instance;
    }

    /// <summary>Publishes in the trace of the request that wrote the event, so one trace runs from POST to outcome.</summary>
    private async Task PublishAsync(IEvent e, CancellationToken ct)
    {
        var parent = e.Headers?.TryGetValue(TraceHeader, out var traceparent) == true && !_dropTraceContext ? traceparent?.ToString() : null;
        // A root when the event has no trace: not a child of whatever the daemon's loop happens to run under.
        if (parent is null) Activity.Current = null;
        // Internal: the producer span, with the messaging attributes, is MassTransit's send inside it.
        using var activity = Telemetry.Source.StartActivity($"relay {e.Data.GetType().Name}", ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.SetTag(Telemetry.RequestIdTag, e.StreamKey);
            activity.SetTag("production_tests.event.id", e.Id.ToString());
            activity.SetTag("production_tests.event.sequence", e.Sequence);
            activity.SetTag("production_tests.relay.lag_ms", Math.Round((DateTimeOffset.UtcNow - e.Timestamp).TotalMilliseconds, 1));
        }
        // WaitAsync: a publish left waiting for a confirm after a broker restart (rabbitmq-dotnet-client#1930) is
        // given up at the timeout even if it does not listen to its token.
        await _bus.Publish(e.Data, e.Data.GetType(), context => context.MessageId = e.Id, ct).WaitAsync(ct);
        _metrics.Relayed(DateTimeOffset.UtcNow - e.Timestamp);
    }

    /// <summary>The event header that carries the W3C trace context of the request that wrote it.</summary>
    public const string TraceHeader = "traceparent";
}
