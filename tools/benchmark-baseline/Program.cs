using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Infrastructure;

// One INSERT per request and nothing else: no key, no validation, no event store. A tool, never deployed.
var builder = WebApplication.CreateBuilder(args);
builder.UseContractKestrel();
var connectionString = builder.Configuration.GetConnectionString("Postgres")
    ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set.");
await using var dataSource = PostgresDataSource.Create(EventStoreSetup.WithDefaults(connectionString));

const string Table = "benchmark_baseline";
await using (var create = dataSource.CreateCommand(
    $"CREATE TABLE IF NOT EXISTS {Table} (id uuid PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL)"))
    await create.ExecuteNonQueryAsync();

var app = builder.Build();
app.MapGet("/health/live", () => Results.Ok());
app.MapPost("/", async (HttpRequest request, CancellationToken ct) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(ct);
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
});
await app.RunAsync();
