using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using JasperFx.Events.Daemon;
using ProductionTests.RequestsApi.ProductionTests;
using ProductionTests.RequestsApi.ProductionTests.Events;
using ProductionTests.RequestsApi.ProductionTests.Create;
using ProductionTests.RequestsApi.ProductionTests.Outcomes;
using ProductionTests.RequestsApi.ProductionTests.Create.Idempotency;
using ProductionTests.RequestsApi.ProductionTests.Waiting;
using ProductionTests.RequestsApi.ReferenceData;
using ProductionTests.RequestsApi.Relay;

namespace ProductionTests.RequestsApi.Infrastructure;

public static class EventStoreSetup
{
    public const string Schema = "production_tests";
    private static readonly TimeSpan FastPolling = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan SlowPolling = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Marten on <c>ConnectionStrings:Postgres</c>: string stream ids (<c>req_&lt;uuid&gt;</c>), the request
    /// view projected inline (same transaction as the event), reference data as documents. The schema is
    /// created or updated at start-up.
    /// </summary>
    public static IServiceCollection AddEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres).");
        var connectionString = WithDefaults(configured, planEveryExecution: true);
        services.AddSingleton(_ => new WriterConnections(WithDefaults(configured)));

        // Shared by the daemon (its pause between polls) and CreateWriter (which ends that pause on commit). Woken
        // looks no closer than the fast polling: measured at 200 requests/s (benchmark phase 3), unspaced wake-ups
        // made p50 155 ms (a look after every commit), 10 ms 73 ms, 25 ms 47 ms.
        var relayWakeup = new RelayWakeup(minimumSpacing: FastPolling);
        services.AddSingleton(relayWakeup);

        var marten = services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                options.Events.StreamIdentity = StreamIdentity.AsString;
                // Each event keeps the trace it was written in (header traceparent), so the relay can
                // continue that trace on the bus.
                options.Events.MetadataConfig.HeadersEnabled = true;
                RequestEvents.AddTo(options);
                // The relay polls for new events (a cheap query); far tighter than the defaults (0.5-1 s) so a request is
                // scheduled within a fraction of a second. A create committed here wakes it at once (RelayWakeup).
                options.Projections.FastPollingTime = FastPolling;
                options.Projections.SlowPollingTime = SlowPolling;
                options.Projections.Wakeup = relayWakeup;

                options.Projections.Add<ChallengeRequestProjection>(ProjectionLifecycle.Inline);
                options.Schema.For<ChallengeRequestView>()
                    .Duplicate(v => v.ClientId)
                    .Duplicate(v => v.CreatedAt)
                    .Duplicate(v => v.ChallengeId!);

                options.Schema.For<Workspace>();
                options.Schema.For<ApiKey>().Duplicate(k => k.WorkspaceId);
                options.Schema.For<App>().Duplicate(a => a.WorkspaceId);
                options.Schema.For<Provider>();
                options.Schema.For<RelayRegistration>();
                options.Schema.For<IdempotencyRecord>().Duplicate(r => r.ExpiresAt);
            })
            .UseLightweightSessions();

        // On by default; off only where the database is known to be unreachable at start (tests of an outage).
        if (configuration.GetValue("EventStore:ApplySchemaOnStartup", true))
            marten.ApplyAllDatabaseChangesOnStartup();

        // The relay (see Relay/). HotCold: with several API instances, one runs it at a time.
        // Relay:Enabled=false leaves the events unpublished (tests of a crash between commit and publish).
        services.AddHostedService<RelayStartingPoint>();
        marten.AddSubscriptionWithServices<ChallengeRequestedRelay>(ServiceLifetime.Singleton);
        marten.AddAsyncDaemon(configuration.GetValue("Relay:Enabled", true) ? DaemonMode.HotCold : DaemonMode.Disabled);

        services.AddSingleton<EventStoreMetrics>();
        services.AddSingleton<ReferenceDataLoader>();
        services.AddSingleton<OutcomeWaiters>();
        services.AddSingleton<ReferenceDataCache>();
        services.AddSingleton<CreateWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<CreateWriter>());
        services.AddSingleton<OutcomeWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<OutcomeWriter>());
        services.AddHostedService<NotificationListener>();
        services.AddSingleton<IdempotencyPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<IdempotencyPurge>());
        return services;
    }

    /// <summary>
    /// A PostgreSQL that is down must be reported within a caller's patience (503), not after Npgsql's
    /// default 15 s connect timeout (10 s: enough for a burst of new connections on a busy machine); settings given explicitly in the connection string win.
    /// <para>
    /// <paramref name="planEveryExecution"/> (the store's connections, which the async daemon uses): PostgreSQL
    /// plans each execution of a prepared statement (<c>plan_cache_mode=force_custom_plan</c>). Its default
    /// switches a statement to one generic plan after five runs, and the plan is kept on the pooled connection
    /// until the table is next analyzed. The daemon's gap query (<c>seq_id &gt;= $1</c> over mt_events) got a
    /// sequential scan that way when the service started on a near-empty store, and went on scanning the
    /// whole table on every look as it grew: 5 ms and 1,250 pages a look, half of PostgreSQL's CPU in
    /// benchmark phase 2, until autovacuum analyzed the table a minute or two later.
    /// </para>
    /// </summary>
    public static string WithDefaults(string connectionString, bool planEveryExecution = false)
    {
        var given = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)[0].Replace(" ", "").ToLowerInvariant())
            .ToHashSet();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("timeout")) builder.Timeout = 10;
        if (!given.Contains("commandtimeout")) builder.CommandTimeout = 15;
        // Prepared statements survive in pooled connections: Marten's append function and the few
        // queries every request makes are planned once per connection instead of on every call.
        if (!given.Contains("maxautoprepare")) builder.MaxAutoPrepare = 64;
        if (planEveryExecution && !given.Contains("options")) builder.Options = "-c plan_cache_mode=force_custom_plan";
        return builder.ConnectionString;
    }
}
