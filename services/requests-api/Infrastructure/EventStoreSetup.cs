using JasperFx;
using JasperFx.Events;
using Marten;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Infrastructure;

public static class EventStoreSetup
{
    public const string Schema = "production_tests";

    /// <summary>
    /// Marten on <c>ConnectionStrings:Postgres</c>: string stream ids (<c>req_&lt;uuid&gt;</c>), each event with
    /// the trace it was written in, the schema created or updated at start-up, the NOTIFY listener and the
    /// readiness check. Features add their events, documents, projections and the relay to it
    /// (<c>services.ConfigureMarten</c>, or the returned expression for the daemon).
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres).");
        // Marten never disposes a data source it is given: the container does, at shutdown.
        var dataSource = PostgresDataSource.Create(WithDefaults(configured, planEveryExecution: true));
        services.AddKeyedSingleton(nameof(EventStoreSetup), (_, _) => dataSource);
        services.AddSingleton(_ => new WriterConnections(WithDefaults(configured)));
        services.AddSingleton(_ => new ListConnections(WithDefaults(configured)));

        var marten = services.AddMarten(options =>
            {
                options.Connection(dataSource);
                options.DatabaseSchemaName = Schema;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                options.Events.StreamIdentity = StreamIdentity.AsString;
                // Each event keeps the trace it was written in (header traceparent), so the relay can
                // continue that trace on the bus.
                options.Events.MetadataConfig.HeadersEnabled = true;
            })
            .UseLightweightSessions();

        // On by default; off only where the database is known to be unreachable at start (tests of an outage).
        if (configuration.GetValue("EventStore:ApplySchemaOnStartup", true))
            marten.ApplyAllDatabaseChangesOnStartup();

        services.AddSingleton<EventStoreMetrics>();
        services.AddHostedService<NotificationListener>();
        services.AddHealthChecks().AddCheck<EventStoreHealthCheck>("postgres", tags: [HealthEndpoints.Ready]);
        return marten;
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
    /// whole table on every look as it grew, until autovacuum next analyzed the table (see docs/decisions,
    /// plan cache mode of the store's connections).
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
        // Several hosts (a primary and its standby): Npgsql remembers each host's role for this long, so after a
        // failover the promoted standby is tried as primary within a second instead of ten (the default).
        if (PostgresDataSource.IsMultiHost(builder) && !given.Contains("hostrecheckseconds")) builder.HostRecheckSeconds = 1;
        return builder.ConnectionString;
    }
}
