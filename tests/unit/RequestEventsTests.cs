using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.RequestsApi;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.UnitTests;

/// <summary>The registry of a request's events (RequestEvents) against the contracts and against what Marten makes of it.</summary>
public class RequestEventsTests
{
    [Fact]
    public void Each_event_names_its_app_for_the_lists_version()
    {
        var scheduled = new ChallengeScheduled("req_1", "client_1", "ws_1", "chl_1", null!, DateTimeOffset.UnixEpoch);

        Assert.Equal("client_1", ProductionTests.RequestsApi.Events.AppListVersions.ClientIdOf(scheduled));
        Assert.Null(ProductionTests.RequestsApi.Events.AppListVersions.ClientIdOf("not an event"));
    }

    /// <summary>A message on the bus about a request: a contracts record with a RequestId (payloads and snapshots have none).</summary>
    private static IEnumerable<Type> ContractEvents() =>
        typeof(ChallengeRequested).Assembly.GetExportedTypes().Where(t => t.IsClass && t.GetProperty("RequestId") is not null);

    /// <summary>The store as the service configures it (nothing connects: the options are only built).</summary>
    private static IReadOnlyStoreOptions ConfiguredStore()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=localhost;Username=u;Password=p",
            ["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@localhost:5672/",
        });
        builder.AddRequestsApi();
        // Not disposed: MassTransit's registrations only dispose asynchronously, and nothing here was started.
        var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<StoreOptions>();
    }

    /// <summary>Marten's own events (archiving, tombstones) are not the request's.</summary>
    private static IEnumerable<(Type Type, string Name)> RequestEventsTheStoreKnows() =>
        ConfiguredStore().Events.AllKnownEventTypes()
            .Where(t => t.EventType.Namespace?.StartsWith("JasperFx", StringComparison.Ordinal) != true && t.EventType.Namespace?.StartsWith("Marten", StringComparison.Ordinal) != true)
            .Select(t => (t.EventType, t.EventTypeName));

    [Fact]
    public void Every_event_of_the_contracts_is_in_the_registry()
    {
        var missing = ContractEvents().Where(t => RequestEvents.All.All(e => e.Type != t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, $"Contract events missing from RequestEvents.All: {string.Join(", ", missing)}");
        Assert.NotEmpty(ContractEvents());
    }

    [Fact]
    public void Marten_stores_every_registered_event_under_the_registered_name()
    {
        var known = RequestEventsTheStoreKnows().ToDictionary(t => t.Type, t => t.Name);
        foreach (var e in RequestEvents.All)
        {
            Assert.True(known.TryGetValue(e.Type, out var name), $"The store does not know {e.Type.Name}");
            Assert.Equal(e.StoredName, name);
        }
    }

    [Fact]
    public void The_store_knows_no_event_type_the_registry_does_not_list()
    {
        var listed = RequestEvents.All.Select(e => e.Type).ToHashSet();
        // The webhook configuration's events live in streams of their own (whk_<client id>), never in a request's.
        var webhookConfiguration = typeof(ProductionTests.RequestsApi.Webhooks.WebhookConfigured).Namespace;
        var unlisted = RequestEventsTheStoreKnows().Select(t => t.Type).Where(t => !listed.Contains(t) && t.Namespace != webhookConfiguration).ToList();
        Assert.Empty(unlisted);
    }

    [Fact]
    public void Every_stored_name_is_read_as_a_current_record()
    {
        Assert.Equal(RequestEvents.All.Sum(e => e.StoredNames.Count), RequestEvents.ByStoredName.Count);
        var old = RequestEvents.ByStoredName[ChallengeFailedV1.EventTypeName];
        var upcast = old.ToCurrent(new ChallengeFailedV1("req_1", "app", "ws", "CHALLENGE_REFUSED", "no", DateTimeOffset.UnixEpoch));
        Assert.False(Assert.IsType<ChallengeFailed>(upcast).Retryable);
    }

    [Fact]
    public void Only_ChallengeRequested_is_relayed_and_every_registered_event_is_a_contract()
    {
        Assert.Equal([typeof(ChallengeRequested)], RequestEvents.Relayed.Select(e => e.Type));
        Assert.All(RequestEvents.All, e => Assert.True(e.OnTheBus, e.Type.Name));
    }

    [Fact]
    public void Every_request_event_is_one_the_writers_hand_to_the_webhook_intake()
    {
        // CreateWriter (ChallengeRequested) and OutcomeWriter (the outcomes) are the only places that append request events, and
        // each hands what it appends to Webhooks/WebhookIntake in its transaction. A new event type: give it a webhook event type
        // (or decide it has none), make its writer queue it, then extend this list.
        Assert.Equal(
            new[] { typeof(ChallengeRequested), typeof(ChallengeScheduled), typeof(ChallengeFailed) }.OrderBy(t => t.Name),
            RequestEvents.All.Select(e => e.Type).OrderBy(t => t.Name));
        Assert.All(RequestEvents.All, e => Assert.NotNull(ProductionTests.RequestsApi.Webhooks.WebhookIntake.EventTypeOf(System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(e.Type))));
    }
}
