using Npgsql;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// The connections a list page and the app's list version are read on: a pool of their own where PostgreSQL keeps one
/// generic plan per prepared statement (<c>plan_cache_mode=force_generic_plan</c>) instead of planning every execution
/// as the store's connections do (<see cref="EventStoreSetup.WithDefaults"/>). Each statement read here has one right
/// plan whatever the app: a range scan of one index (Reading/ListReader.cs; checked with EXPLAIN in docs/decisions, 0018).
/// Only the list reader's SELECTs run here and they change no session state, so a connection going back to the pool is not
/// reset (<c>No Reset On Close</c>): that reset is seven statements on each use.
/// </summary>
public sealed class ListConnections : IDisposable
{
    public const int MaxConnections = 16;
    public const string PlanCacheMode = "-c plan_cache_mode=force_generic_plan";

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="connectionString">The store's, with <see cref="EventStoreSetup.WithDefaults"/>; options it gives are kept, the plan cache mode set after them.</param>
    public ListConnections(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = MaxConnections, NoResetOnClose = true };
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? PlanCacheMode : $"{builder.Options} {PlanCacheMode}";
        _dataSource = PostgresDataSource.Create(builder.ConnectionString);
    }

    public NpgsqlConnection Create() => _dataSource.CreateConnection();

    public void Dispose() => _dataSource.Dispose();
}
