using System.Text.Json.Serialization;
using Marten;
using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>A delivery claimed for an attempt.</summary>
public sealed record ClaimedDelivery(Guid Id, string ClientId, Guid EventId, string EventType, string Body, int Attempt, int RetryStep);

/// <summary>How one attempt ended.</summary>
/// <param name="Outcome"><c>delivered</c> (2xx), <c>http_error</c> (another status), <c>timeout</c>, <c>connection_failed</c>,
/// <c>refused_address</c> (SSRF rule), <c>disabled</c>, <c>abandoned</c> (the dispatcher stopped during it).</param>
/// <param name="Ambiguous">The receiver may have processed it although it did not say so (a timeout or a connection lost after sending): a redelivery may be a duplicate.</param>
public sealed record AttemptResult(string Outcome, int? StatusCode, string? Error, bool Ambiguous, bool Retry)
{
    public bool Delivered => Outcome == "delivered";
}

/// <summary>An attempt done, waiting to be recorded; <paramref name="NextAttemptAt"/> null when there is none (delivered, or given up).</summary>
public sealed record FinishedAttempt(ClaimedDelivery Delivery, DateTimeOffset StartedAt, TimeSpan Duration, AttemptResult Result, DateTimeOffset? NextAttemptAt)
{
    public string Status => Result.Delivered ? "delivered" : NextAttemptAt is null ? "failed" : "pending";
}

/// <summary>One attempt as the API answers it.</summary>
/// <param name="StatusCode">The receiver's HTTP status; absent when it gave none.</param>
/// <param name="Error">Why it failed; absent when delivered.</param>
public sealed record WebhookAttemptResponse(
    int Attempt, DateTimeOffset StartedAt, double DurationMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StatusCode,
    string Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    bool Ambiguous);

/// <summary>A delivery of one event to one app, with its attempts.</summary>
/// <param name="Status"><c>pending</c> (due or waiting for its next attempt), <c>delivered</c> or <c>failed</c> (given up).</param>
/// <param name="EventId">The envelope's <c>eventId</c>: the stored event's id.</param>
/// <param name="AmbiguousAttempts">Attempts whose outcome the receiver may have seen as a delivery: how many duplicates it may have received.</param>
public sealed record WebhookDeliveryResponse(
    Guid Id, Guid EventId, string Event, string RequestId, long StreamVersion, string Status, int Attempts, int AmbiguousAttempts,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? NextAttemptAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeliveredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LastStatusCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastError,
    IReadOnlyList<WebhookAttemptResponse> AttemptLog);

/// <summary>
/// The deliveries and their attempts, in PostgreSQL tables of their own (operational data, not history:
/// the events they carry are the history). A delivery is due when <c>next_attempt_at</c> has come; claiming
/// it moves that time past the attempt's lease, so a dispatcher killed mid-attempt leaves it due again
/// (and the lost attempt is recorded as abandoned and ambiguous).
/// </summary>
public sealed class WebhookDeliveries(IDocumentStore store)
{
    private const string S = EventStoreSetup.Schema;
    public const string Table = S + ".webhook_deliveries";
    public const string Attempts = S + ".webhook_attempts";

    public const string Schema = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
          id uuid PRIMARY KEY,
          client_id text NOT NULL,
          event_id uuid NOT NULL,
          event_type text NOT NULL,
          stream_id text NOT NULL,
          stream_version bigint NOT NULL,
          sequence bigint NOT NULL,
          body text NOT NULL,
          status text NOT NULL,
          attempts int NOT NULL DEFAULT 0,
          retry_step int NOT NULL DEFAULT 0,
          ambiguous_attempts int NOT NULL DEFAULT 0,
          claimed_at timestamptz,
          created_at timestamptz NOT NULL,
          next_attempt_at timestamptz,
          delivered_at timestamptz,
          last_status_code int,
          last_error text,
          redelivered_at timestamptz,
          UNIQUE (client_id, event_id));
        ALTER TABLE {Table} ADD COLUMN IF NOT EXISTS redelivered_at timestamptz; -- tables made before the age rule
        CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON {Table} (client_id, next_attempt_at) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS webhook_deliveries_pending_since ON {Table} ((COALESCE(redelivered_at, created_at))) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS webhook_deliveries_by_app ON {Table} (client_id, created_at DESC);
        CREATE INDEX IF NOT EXISTS webhook_deliveries_finished ON {Table} (created_at) WHERE status <> 'pending';
        CREATE TABLE IF NOT EXISTS {Attempts} (
          delivery_id uuid NOT NULL REFERENCES {Table} (id),
          attempt int NOT NULL,
          started_at timestamptz NOT NULL,
          duration_ms double precision NOT NULL,
          status_code int,
          outcome text NOT NULL,
          error text,
          ambiguous boolean NOT NULL,
          PRIMARY KEY (delivery_id, attempt));
        """;

    private int _schemaReady;

    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _schemaReady) == 1) return;
        // The intake's insert reads the configurations' table in SQL, which Marten would otherwise create only on first use.
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(WebhookConfigView), ct);
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock(7319001); {Schema}", connection);
        await using var tx = await connection.BeginTransactionAsync(ct);
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        Volatile.Write(ref _schemaReady, 1);
    }

    /// <summary>Claims up to <c>slots[i]</c> due deliveries of each <c>clients[i]</c>, oldest first, for one lease.</summary>
    public async Task<List<ClaimedDelivery>> ClaimAsync(string[] clients, int[] slots, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            WITH picked AS (
              SELECT c.id, c.claimed_at AS abandoned_at
              FROM unnest(@clients::text[], @slots::int[]) AS w(client_id, slots)
              CROSS JOIN LATERAL (
                SELECT x.id, x.claimed_at FROM {Table} x
                WHERE x.client_id = w.client_id AND x.status = 'pending' AND x.next_attempt_at <= @now
                ORDER BY x.next_attempt_at, x.sequence LIMIT w.slots) c
            ), claimed AS (
              UPDATE {Table} d
              SET claimed_at = @now, next_attempt_at = @lease,
                  attempts = d.attempts + CASE WHEN d.claimed_at IS NULL THEN 0 ELSE 1 END,
                  ambiguous_attempts = d.ambiguous_attempts + CASE WHEN d.claimed_at IS NULL THEN 0 ELSE 1 END
              FROM picked
              WHERE d.id = picked.id AND d.status = 'pending' AND d.next_attempt_at <= @now
              RETURNING d.id, d.client_id, d.event_id, d.event_type, d.body, d.attempts, d.retry_step, picked.abandoned_at
            ), abandoned AS (
              INSERT INTO {Attempts} (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, ambiguous)
              SELECT id, attempts, abandoned_at, 0, NULL, 'abandoned', 'The dispatcher stopped during this attempt: its outcome is unknown.', true
              FROM claimed WHERE abandoned_at IS NOT NULL
              ON CONFLICT DO NOTHING
            )
            SELECT id, client_id, event_id, event_type, body, attempts, retry_step FROM claimed
            """, connection);
        command.Parameters.AddWithValue("clients", clients);
        command.Parameters.AddWithValue("slots", slots);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("lease", leaseUntil);
        var claimed = new List<ClaimedDelivery>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add(new(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5) + 1, reader.GetInt32(6)));
        return claimed;
    }

    /// <summary>
    /// Records finished attempts, each with its delivery's next state: delivered, due again at its <c>NextAttemptAt</c>,
    /// or given up (failed); one statement for the lot.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<FinishedAttempt> finished, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            WITH r AS (
              SELECT * FROM unnest(@id, @attempt, @started, @ended, @duration, @code, @outcome, @error, @ambiguous, @step, @status, @next)
                AS r(id, attempt, started, ended, duration, code, outcome, error, ambiguous, step, status, next)
            ), attempt AS (
              INSERT INTO {Attempts} (delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, ambiguous)
              SELECT id, attempt, started, duration, code, outcome, error, ambiguous FROM r ON CONFLICT DO NOTHING
            )
            UPDATE {Table} d SET attempts = r.attempt, retry_step = r.step, status = r.status, next_attempt_at = r.next, claimed_at = NULL,
              delivered_at = CASE WHEN r.status = 'delivered' THEN r.ended ELSE d.delivered_at END,
              last_status_code = r.code, last_error = r.error,
              ambiguous_attempts = d.ambiguous_attempts + CASE WHEN r.ambiguous THEN 1 ELSE 0 END
            FROM r WHERE d.id = r.id
            """, connection);
        void Add<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });
        Add("id", NpgsqlDbType.Uuid, finished.Select(f => f.Delivery.Id));
        Add("attempt", NpgsqlDbType.Integer, finished.Select(f => f.Delivery.Attempt));
        Add("started", NpgsqlDbType.TimestampTz, finished.Select(f => f.StartedAt));
        Add("ended", NpgsqlDbType.TimestampTz, finished.Select(f => f.StartedAt + f.Duration));
        Add("duration", NpgsqlDbType.Double, finished.Select(f => f.Duration.TotalMilliseconds));
        Add("code", NpgsqlDbType.Integer, finished.Select(f => f.Result.StatusCode));
        Add("outcome", NpgsqlDbType.Text, finished.Select(f => f.Result.Outcome));
        Add("error", NpgsqlDbType.Text, finished.Select(f => f.Result.Error));
        Add("ambiguous", NpgsqlDbType.Boolean, finished.Select(f => f.Result.Ambiguous));
        Add("step", NpgsqlDbType.Integer, finished.Select(f => f.NextAttemptAt is null || f.Result.Delivered ? f.Delivery.RetryStep : f.Delivery.RetryStep + 1));
        Add("status", NpgsqlDbType.Text, finished.Select(f => f.Status));
        Add("next", NpgsqlDbType.TimestampTz, finished.Select(f => f.Result.Delivered ? null : f.NextAttemptAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>An app's deliveries, newest first, optionally of one status, with their attempts.</summary>
    public async Task<List<WebhookDeliveryResponse>> ListAsync(string clientId, string? status, Guid? id, int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        var deliveries = new List<(WebhookDeliveryResponse Delivery, List<WebhookAttemptResponse> Attempts)>();
        await using (var command = new NpgsqlCommand($"""
            SELECT id, event_id, event_type, stream_id, stream_version, status, attempts, ambiguous_attempts, created_at, next_attempt_at, delivered_at, last_status_code, last_error
            FROM {Table} WHERE client_id = @client AND (@status::text IS NULL OR status = @status) AND (@id::uuid IS NULL OR id = @id)
            ORDER BY created_at DESC, sequence DESC LIMIT @limit
            """, connection))
        {
            command.Parameters.AddWithValue("client", clientId);
            command.Parameters.Add(new NpgsqlParameter<string?>("status", NpgsqlDbType.Text) { TypedValue = status });
            command.Parameters.Add(new NpgsqlParameter<Guid?>("id", NpgsqlDbType.Uuid) { TypedValue = id });
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var attempts = new List<WebhookAttemptResponse>();
                var pending = reader.GetString(5) == "pending";
                deliveries.Add((new WebhookDeliveryResponse(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                    reader.GetString(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8),
                    pending && !reader.IsDBNull(9) ? reader.GetFieldValue<DateTimeOffset>(9) : null,
                    reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                    reader.IsDBNull(11) ? null : reader.GetInt32(11),
                    reader.IsDBNull(12) ? null : reader.GetString(12), attempts), attempts));
            }
        }
        if (deliveries.Count == 0) return [];
        var byId = deliveries.ToDictionary(d => d.Delivery.Id, d => d.Attempts);
        await using (var command = new NpgsqlCommand($"""
            SELECT delivery_id, attempt, started_at, duration_ms, status_code, outcome, error, ambiguous
            FROM {Attempts} WHERE delivery_id = ANY(@ids) ORDER BY delivery_id, attempt
            """, connection))
        {
            command.Parameters.AddWithValue("ids", byId.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                byId[reader.GetGuid(0)].Add(new WebhookAttemptResponse(reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), Math.Round(reader.GetDouble(3), 1),
                    reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetBoolean(7)));
        }
        return deliveries.Select(d => d.Delivery).ToList();
    }

    /// <summary>Deletes up to <paramref name="limit"/> finished deliveries created before <paramref name="before"/>, with their attempts.</summary>
    public async Task<int> PurgeFinishedAsync(DateTimeOffset before, int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        // The attempts go in the same statement (a foreign key of NO ACTION is checked at its end).
        await using var command = new NpgsqlCommand($"""
            WITH gone AS (
              SELECT id FROM {Table} WHERE status <> 'pending' AND created_at < @before ORDER BY created_at LIMIT @limit FOR UPDATE SKIP LOCKED
            ), attempts AS (
              DELETE FROM {Attempts} a USING gone WHERE a.delivery_id = gone.id
            )
            DELETE FROM {Table} d USING gone WHERE d.id = gone.id
            """, connection);
        command.Parameters.AddWithValue("before", before);
        command.Parameters.AddWithValue("limit", limit);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Gives up the pending deliveries queued (or redelivered) before <paramref name="before"/>, attempted or not, that no attempt
    /// holds; returns how many. One statement: a backlog behind a receiver that never came back goes in one sweep.
    /// </summary>
    public async Task<int> ExpireAsync(DateTimeOffset before, string error, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        // An attempt in flight (or abandoned, claimed_at set) is left to end and be recorded; the next sweep takes it if it is still pending.
        await using var command = new NpgsqlCommand($"""
            UPDATE {Table} SET status = 'failed', next_attempt_at = NULL, last_error = @error
            WHERE status = 'pending' AND COALESCE(redelivered_at, created_at) < @before AND claimed_at IS NULL
            """, connection);
        command.Parameters.AddWithValue("before", before);
        command.Parameters.AddWithValue("error", error);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Makes a delivery due now, with a fresh retry schedule (whatever its status) and a fresh start for the age rule.
    /// False when the app has no such delivery.
    /// </summary>
    public async Task<bool> RedeliverAsync(string clientId, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            UPDATE {Table} SET status = 'pending', retry_step = 0, redelivered_at = @now,
              next_attempt_at = CASE WHEN claimed_at IS NULL THEN @now ELSE next_attempt_at END
            WHERE client_id = @client AND id = @id
            """, connection);
        command.Parameters.AddWithValue("client", clientId);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("now", now);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }
}
