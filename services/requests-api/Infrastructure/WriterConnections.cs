using Npgsql;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// The connections <c>CreateWriter</c> and <c>OutcomeWriter</c> commit on: a pool of their own that keeps
/// PostgreSQL's plan cache on its default (a statement run often gets one generic plan), because their
/// statements are key lookups and inserts whose plans never depend on how big a table is. Everything else
/// (Marten's queries, the async daemon) runs on the store's connections, which plan every execution
/// (see <see cref="EventStoreSetup.WithDefaults"/>). Each writer commits one batch at a time, so the pool
/// is small: it adds at most <see cref="MaxConnections"/> to what the store's pool may open.
/// </summary>
public sealed class WriterConnections : IDisposable
{
    public const int MaxConnections = 4;

    private readonly NpgsqlDataSource _dataSource;

    public WriterConnections(string connectionString) =>
        _dataSource = PostgresDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = MaxConnections }.ConnectionString);

    public NpgsqlConnection Create() => _dataSource.CreateConnection();

    public void Dispose() => _dataSource.Dispose();
}
