using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Benchmark;

/// <summary>
/// The benchmark's baseline (tools/benchmark, README "Performance"): <c>POST /benchmark/baseline</c> stores
/// the request body with exactly one <c>INSERT</c> through a plain Npgsql data source on the same
/// connection string and settings (auto-prepare included), on the same Kestrel as the real endpoints: the storage ceiling for one write per
/// request. Mapped only when <c>Benchmark:BaselineEndpoint</c> is true (off by default, never in
/// production): it takes no key, and nothing else reads its table.
/// </summary>
public static class BaselineEndpoint
{
    public const string Setting = "Benchmark:BaselineEndpoint";
    public const string Path = "/benchmark/baseline";
    private const string Table = $"{EventStoreSetup.Schema}.benchmark_baseline";

    public static WebApplication MapBenchmarkBaseline(this WebApplication app)
    {
        if (!app.Configuration.GetValue(Setting, false)) return app;

        var connectionString = app.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set.");
        var dataSource = PostgresDataSource.Create(EventStoreSetup.WithDefaults(connectionString));
        app.Lifetime.ApplicationStopped.Register(dataSource.Dispose);
        var table = new TableOnFirstUse(dataSource);

        app.MapPost(Path, async (HttpRequest request, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ct);
            await table.EnsureAsync(ct);
            var id = Guid.CreateVersion7();
            await using var insert = dataSource.CreateCommand($"INSERT INTO {Table} (id, body, created_at) VALUES ($1, $2, now())");
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = body, NpgsqlDbType = NpgsqlDbType.Jsonb });
            try
            {
                await insert.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation)
            {
                return Results.BadRequest(new { error = "the body is not JSON" });
            }
            return Results.Json(new { id }, statusCode: StatusCodes.Status201Created);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Creates the table the first time the endpoint is called (again after a failed attempt).</summary>
    private sealed class TableOnFirstUse(NpgsqlDataSource dataSource)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private volatile bool _exists;

        public async ValueTask EnsureAsync(CancellationToken ct)
        {
            if (_exists) return;
            await _gate.WaitAsync(ct);
            try
            {
                if (_exists) return;
                await using var create = dataSource.CreateCommand($"""
                    CREATE SCHEMA IF NOT EXISTS {EventStoreSetup.Schema};
                    CREATE TABLE IF NOT EXISTS {Table} (id uuid PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL)
                    """);
                await create.ExecuteNonQueryAsync(ct);
                _exists = true;
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
