using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace ProductionTests.Tools;

/// <summary>
/// What a tool runs in and throws away afterwards: a fresh database <c>&lt;prefix&gt;_&lt;timestamp&gt;</c> on
/// the PostgreSQL server and a fresh RabbitMQ virtual host, created through the management API.
/// </summary>
public sealed class Sandbox
{
    private readonly ServerSettings _servers;
    private readonly HttpClient _management;

    public string Database { get; }
    public string VirtualHost { get; }
    public string PostgresConnectionString { get; }
    public string AmqpConnectionString { get; }

    private Sandbox(ServerSettings servers, string prefix, string stamp)
    {
        _servers = servers;
        Database = $"{prefix}_{stamp}";
        VirtualHost = $"{prefix.Replace('_', '-')}-{stamp}";
        PostgresConnectionString = new NpgsqlConnectionStringBuilder(servers.PostgresConnectionString) { Database = Database }.ConnectionString;
        AmqpConnectionString = new UriBuilder(servers.Amqp) { Path = "/" + VirtualHost }.Uri.ToString();
        _management = new HttpClient { BaseAddress = servers.Management, Timeout = TimeSpan.FromSeconds(15) };
        var credentials = servers.Amqp.UserInfo.Length > 0 ? Uri.UnescapeDataString(servers.Amqp.UserInfo) : "guest:guest";
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
    }

    /// <summary>The server's maintenance database, without pooling (it goes away with restarts).</summary>
    public string ServerConnectionString => new NpgsqlConnectionStringBuilder(_servers.PostgresConnectionString) { Database = "postgres", Pooling = false, Timeout = 5 }.ConnectionString;
    private string User => Uri.UnescapeDataString(_servers.Amqp.UserInfo.Split(':')[0]) is { Length: > 0 } user ? user : "guest";

    /// <param name="prefix">The database's name before the timestamp (a plain identifier: <c>fault_suite</c>, <c>benchmark</c>); the vhost's with '-' for '_'.</param>
    public static Sandbox For(ServerSettings servers, string prefix, DateTimeOffset startedAt) => new(servers, prefix, startedAt.ToString("yyyyMMdd_HHmmss"));

    public async Task CreateAsync(CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        (await _management.PutAsync($"api/vhosts/{Uri.EscapeDataString(VirtualHost)}", null, ct)).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(User)}",
            new { configure = ".*", write = ".*", read = ".*" }, ct)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Every queue of the vhost with its messages (ready and unacknowledged). The counts are the management
    /// API's periodic statistics, seconds old: a caller that wants "empty now" asks again until they settle.
    /// A queue whose statistics are not there yet (just after a broker restart) fails the read rather than
    /// count as empty.
    /// </summary>
    public async Task<IReadOnlyList<QueueDepth>> QueuesAsync(CancellationToken ct)
    {
        using var response = await _management.GetAsync($"api/queues/{Uri.EscapeDataString(VirtualHost)}", ct);
        response.EnsureSuccessStatusCode();
        var queues = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var found = new List<QueueDepth>();
        foreach (var queue in queues.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString() ?? "?";
            long Count(string property) => queue.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
                ? value.GetInt64()
                : throw new HttpRequestException($"queue {name} has no '{property}' count yet");
            found.Add(new QueueDepth(name, Count("messages"), Count("messages_unacknowledged")));
        }
        return found;
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        using var response = await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(VirtualHost)}");
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound) response.EnsureSuccessStatusCode();
    }
}

public sealed record QueueDepth(string Queue, long Messages, long Unacknowledged);

