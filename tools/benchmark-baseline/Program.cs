using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Infrastructure;

// One INSERT per request and nothing else: no key, no validation, no event store (and the list phase's floor, below). A tool, never deployed.
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
// The list phase's floor (tools/benchmark ListPhase): a list answer with nothing behind it, a 304 or N bytes from memory.
var bodies = new System.Collections.Concurrent.ConcurrentDictionary<int, byte[]>();
app.MapGet("/list-floor", (HttpContext http, int? bytes) =>
{
    http.Response.Headers.ETag = "\"floor\"";
    http.Response.Headers.CacheControl = "private, no-cache";
    if (http.Request.Headers.IfNoneMatch.Count > 0) return Results.StatusCode(StatusCodes.Status304NotModified);
    var body = bodies.GetOrAdd(Math.Clamp(bytes ?? 0, 0, 1 << 20), n => System.Text.Encoding.ASCII.GetBytes("[" + new string(' ', Math.Max(0, n - 2)) + "]"));
    return Results.Bytes(body, "application/json; charset=utf-8");
});
await app.RunAsync();
