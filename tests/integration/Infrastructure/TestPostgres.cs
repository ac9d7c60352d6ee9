using Npgsql;
using Testcontainers.PostgreSql;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the test run: the one the project's scripts started and exported
/// (<c>ConnectionStrings__Postgres</c>, see deploy/test.sh), or else a Testcontainers one where a Docker
/// engine answers. Each test run gets a database of its own, dropped at the end.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private readonly PostgreSqlContainer? _container;
    private readonly string _serverConnectionString;

    public string ConnectionString { get; }

    private TestPostgres(PostgreSqlContainer? container, string serverConnectionString, string database)
    {
        _container = container;
        _serverConnectionString = serverConnectionString;
        // The admin connection does without pooling; the services under test pool as they do in production.
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database, Pooling = true }.ConnectionString;
    }

    public static async Task<TestPostgres> StartAsync()
    {
        PostgreSqlContainer? container = null;
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        if (string.IsNullOrEmpty(configured))
        {
            container = new PostgreSqlBuilder("postgres:15").Build();
            await container.StartAsync();
            configured = container.GetConnectionString();
        }

        var server = new NpgsqlConnectionStringBuilder(configured) { Database = "postgres", Pooling = false }.ConnectionString;
        var database = $"pt_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
        return new TestPostgres(container, server, database);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        if (_container is not null) await _container.DisposeAsync();
    }
}
