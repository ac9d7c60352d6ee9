using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using System.Diagnostics;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Relay;

/// <summary>
/// The outbox relay: the event store is the outbox. The async daemon hands this subscription each page
/// of committed ChallengeRequested events; it publishes them to RabbitMQ, the event id as MessageId,
/// all of a page at once (one awaited publish at a time waits for each broker confirm). Only when the
/// whole page is confirmed does the daemon record progress, so a crash or a broker outage replays the
/// page: delivery is at least once, and consumers are idempotent.
/// </summary>
public sealed class ChallengeRequestedRelay : SubscriptionBase
{
    public const string RelayName = "challenge-requested-relay";
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    private readonly IBus _bus;
    private readonly EventStoreMetrics _metrics;
    private readonly ILogger<ChallengeRequestedRelay> _logger;

    public ChallengeRequestedRelay(IBus bus, EventStoreMetrics metrics, ILogger<ChallengeRequestedRelay> logger)
    {
        _bus = bus;
        _metrics = metrics;
        _logger = logger;
        Name = RelayName;
        IncludeType<ChallengeRequested>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // A broker that does not confirm in time fails the page, which the daemon retries.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);

        await Task.WhenAll(page.Events.Where(e => e.Data is ChallengeRequested).Select(e => PublishAsync(e, timeout.Token)));

        _logger.LogDebug("Relayed {Count} events up to sequence {Sequence}", page.Events.Count, page.SequenceCeiling);
        return NullChangeListener.Instance;
    }

    /// <summary>Publishes in the trace of the request that wrote the event, so one trace runs from POST to outcome.</summary>
    private async Task PublishAsync(IEvent e, CancellationToken ct)
    {
        var parent = e.Headers?.TryGetValue(TraceHeader, out var traceparent) == true ? traceparent?.ToString() : null;
        using var activity = Telemetry.Source.StartActivity("relay ChallengeRequested", ActivityKind.Producer, parent);
        activity?.SetTag("production_tests.request_id", e.StreamKey);
        await _bus.Publish((ChallengeRequested)e.Data, context => context.MessageId = e.Id, ct);
        _metrics.Relayed(DateTimeOffset.UtcNow - e.Timestamp);
    }

    /// <summary>The event header that carries the W3C trace context of the request that wrote it.</summary>
    public const string TraceHeader = "traceparent";
}
