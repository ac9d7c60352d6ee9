using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ProductionTests.FaultSuite;

/// <summary>One row of production_tests.mt_events, with what the checks need from its data.</summary>
public sealed record StoredEvent(string StreamId, string Type, DateTimeOffset Timestamp, string? Title, string? ChallengeId)
{
    // Marten's names: challenge_requested, challenge_scheduled, challenge_failed (version 1) and
    // challenge_failed_v2; later versions get _v3... suffixes. Spelled here, not read from requests-api's
    // registry: the suite judges the service from outside. EventNamesTests holds them to the registry.
    public bool IsRequested => Type == "challenge_requested" || Type.StartsWith("challenge_requested_v", StringComparison.Ordinal);
    public bool IsScheduled => Type == "challenge_scheduled" || Type.StartsWith("challenge_scheduled_v", StringComparison.Ordinal);
    public bool IsFailed => Type == "challenge_failed" || Type.StartsWith("challenge_failed_v", StringComparison.Ordinal);
    public bool IsOutcome => IsScheduled || IsFailed;
}

public sealed record StubChallenge(string Id, string RequestId);

/// <summary>One key's booking calls at the stub (<c>GET /admin/bookings</c>) and the challenges they created.</summary>
public sealed record StubBooking(string Key, int Calls, int Challenges, int LostAnswers = 0);

/// <summary>What the event store says, read directly from PostgreSQL (not through the API).</summary>
public sealed class EventStoreReader(string connectionString)
{
    private const string Schema = EventStoreNames.Schema;
    private const string OutcomeTypes = EventStoreNames.OutcomeTypes;

    /// <summary>How many of these requests have at least one outcome event.</summary>
    public async Task<int> CountWithOutcomeAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"SELECT count(DISTINCT stream_id) FROM {Schema}.mt_events WHERE stream_id = ANY(@ids) AND {OutcomeTypes}", connection);
        command.Parameters.AddWithValue("ids", requestIds.ToArray());
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>Outcome events in the whole store: whether the pipeline is moving at all.</summary>
    public async Task<long> OutcomeCountAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Schema}.mt_events WHERE {OutcomeTypes}", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>
    /// Marten's own stream: when an append fails after it took sequence numbers, Marten fills the gap
    /// with <c>tombstone</c> events in this stream. Not a request; left out of the checks, counted.
    /// </summary>
    public const string TombstoneStream = EventStoreNames.TombstoneStream;

    /// <summary>Every event but Marten's tombstones.</summary>
    public async Task<IReadOnlyList<StoredEvent>> EventsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"SELECT stream_id, type, timestamp, data::text FROM {Schema}.mt_events WHERE stream_id <> '{TombstoneStream}' AND type <> 'tombstone' ORDER BY seq_id", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(ct))
        {
            using var data = JsonDocument.Parse(reader.GetString(3));
            var payload = Member(data.RootElement, "payload");
            events.Add(new StoredEvent(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                payload is { } p ? Member(p, "title")?.GetString() : null,
                Member(data.RootElement, "challengeId")?.GetString()));
        }
        return events;
    }

    /// <summary>How many of these titles (the load's are unique) a committed ChallengeRequested carries.</summary>
    public async Task<int> CommittedTitlesAsync(IReadOnlyCollection<string> titles, CancellationToken ct)
    {
        if (titles.Count == 0) return 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"SELECT count(*) FROM {Schema}.mt_events WHERE {EventStoreNames.RequestedTypes} AND data::text LIKE ANY(@patterns)", connection);
        command.Parameters.AddWithValue("patterns", titles.Select(t => $"%\"{t}\"%").ToArray());
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    public async Task<long> TombstonesAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Schema}.mt_events WHERE stream_id = '{TombstoneStream}' OR type = 'tombstone'", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>Every stream but Marten's tombstone stream.</summary>
    public async Task<IReadOnlyList<string>> StreamIdsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT id FROM {Schema}.mt_streams WHERE id <> '{TombstoneStream}'", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<string>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Idempotency-Key → request id, from the records requests-api commits with each stream.</summary>
    public async Task<IReadOnlyDictionary<string, string>> IdempotencyRecordsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT data::text FROM {Schema}.mt_doc_idempotencyrecord", connection);
        var records = new Dictionary<string, string>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                using var data = JsonDocument.Parse(reader.GetString(0));
                if (Member(data.RootElement, "key")?.GetString() is { } key && Member(data.RootElement, "requestId")?.GetString() is { } requestId)
                    records[key] = requestId;
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // no key was ever stored
        }
        return records;
    }

    /// <summary>The database's connections by state (active, idle, idle in transaction...), for the progress line.</summary>
    public static async Task<string> ConnectionStatesAsync(string serverConnectionString, string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(state, '?'), count(*) FROM pg_stat_activity WHERE datname = @database GROUP BY 1 ORDER BY 1", connection);
        command.Parameters.AddWithValue("database", database);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var states = new List<string>();
        while (await reader.ReadAsync(ct)) states.Add($"{reader.GetString(0)} {reader.GetInt64(1)}");
        return states.Count > 0 ? string.Join(", ", states) : "none";
    }

    /// <summary>A member whatever its casing (Marten's serializer settings decide it).</summary>
    private static JsonElement? Member(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) return null;
        foreach (var member in element.EnumerateObject())
            if (string.Equals(member.Name, name, StringComparison.OrdinalIgnoreCase) && member.Value.ValueKind != JsonValueKind.Null)
                return member.Value;
        return null;
    }
}

/// <summary>tpas-stub's challenges (<c>GET /v1/challenges</c>, every challenge; the stub keeps them in memory).</summary>
public static class StubReader
{
    public static async Task<IReadOnlyList<StubChallenge>> ChallengesAsync(HttpClient http, Uri stub, CancellationToken ct)
    {
        var challenges = await http.GetFromJsonAsync<JsonElement>(new Uri(stub, "v1/challenges"), ct);
        return [.. challenges.EnumerateArray().Select(c => new StubChallenge(c.GetProperty("id").GetString()!, c.GetProperty("requestId").GetString()!))];
    }

    public static async Task<IReadOnlyList<StubBooking>> BookingsAsync(HttpClient http, Uri stub, CancellationToken ct)
    {
        var bookings = await http.GetFromJsonAsync<JsonElement>(new Uri(stub, "admin/bookings"), ct);
        return [.. bookings.EnumerateArray().Select(b => new StubBooking(b.GetProperty("key").GetString()!, b.GetProperty("calls").GetInt32(),
            b.GetProperty("challenges").GetInt32(), b.GetProperty("lostAnswers").GetInt32()))];
    }
}
