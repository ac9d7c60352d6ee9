using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using ProductionTests.Contracts;

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
    private readonly ILogger<ChallengeRequestedRelay> _logger;

    public ChallengeRequestedRelay(IBus bus, ILogger<ChallengeRequestedRelay> logger)
    {
        _bus = bus;
        _logger = logger;
        Name = RelayName;
        IncludeType<ChallengeRequested>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // A broker that does not confirm in time fails the page, which the daemon retries.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);

        var publishes = page.Events
            .Where(e => e.Data is ChallengeRequested)
            .Select(e => _bus.Publish((ChallengeRequested)e.Data, context => context.MessageId = e.Id, timeout.Token));
        await Task.WhenAll(publishes);

        _logger.LogDebug("Relayed {Count} events up to sequence {Sequence}", page.Events.Count, page.SequenceCeiling);
        return NullChangeListener.Instance;
    }
}
