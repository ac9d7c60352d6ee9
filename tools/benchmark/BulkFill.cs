using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using static ProductionTests.Tools.EventStoreNames;

namespace ProductionTests.Benchmark;

public sealed record FillFigures(long EventsBefore, long EventsAdded, long StreamsAdded, double Seconds)
{
    public double EventsPerSecond => Seconds > 0 ? EventsAdded / Seconds : 0;
}

/// <summary>
/// Grows the event store through a bulk path: set-based SQL (INSERT ... SELECT over generate_series) that
/// copies a template stream made by a real request (its ChallengeRequested + ChallengeScheduled, its
/// mt_streams row and its view) under new stream ids. Columns are read from information_schema, so
/// whatever Marten's tables hold is copied as is, except:
/// <list type="bullet">
/// <item>stream id: <c>req_</c> + a UUID v7-shaped id whose time part counts milliseconds just before the fill
///   (time-ordered, as the API's ids are, so index inserts stay local); event ids: new random UUIDs;</item>
/// <item>seq_id: consecutive numbers after the highest one, and the events sequence moved past them;</item>
/// <item>JSON (event data, view): every occurrence of the template's request id and challenge id rewritten
///   (each copy gets its own <c>chl_</c> id); timestamps: now.</item>
/// </list>
/// Not filled: Idempotency-Key records and tpas-stub's challenges (the stub keeps them in memory).
/// requests-api must be stopped meanwhile; afterwards the relay's progress is moved to the new highest
/// sequence, so nothing filled is ever published (see <see cref="SkipRelayPastAsync"/>).
/// </summary>
public sealed partial class BulkFill(string connectionString, SuiteLog log)
{
    private const int StreamsPerBatch = 50_000;
    // services/requests-api/Relay/RelayStartingPoint.ShardName: the relay's row in mt_event_progression.
    private const string RelayShard = "challenge-requested-relay:All";

    // Like every writer of views, the fill changes the app's list version (services/requests-api/Events/AppListVersions.cs)
    // in its transaction, so a list ETag taken before it does not match after it.

    /// <summary>Adds template copies until the store holds at least <paramref name="targetEvents"/> events.</summary>
    public Task<FillFigures> FillToAsync(string templateId, long targetEvents, CancellationToken ct) =>
        FillAsync(templateId, (before, perStream) => Math.Max(0, (targetEvents - before + perStream - 1) / perStream), ct);

    /// <summary>Adds <paramref name="copies"/> copies of the template (requests of the template's app).</summary>
    public Task<FillFigures> AddCopiesAsync(string templateId, long copies, CancellationToken ct) =>
        FillAsync(templateId, (_, _) => copies, ct);

    private async Task<FillFigures> FillAsync(string templateId, Func<long, long, long> copies, CancellationToken ct)
    {
        if (!RequestId().IsMatch(templateId)) throw new SetupException($"Unexpected template stream id '{templateId}'.");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var clock = Stopwatch.StartNew();

        var before = await ScalarAsync(connection, $"SELECT count(*) FROM {Schema}.mt_events", ct);
        var perStream = await ScalarAsync(connection, $"SELECT count(*) FROM {Schema}.mt_events WHERE stream_id = '{templateId}'", ct);
        if (perStream < 1) throw new SetupException($"The template stream {templateId} has no events.");
        var streams = copies(before, perStream);
        if (streams == 0) return new FillFigures(before, 0, 0, 0);
        var challengeId = await TemplateChallengeIdAsync(connection, templateId, ct);
        // Copies already made (earlier fills) go on numbering after them: ids stay unique.
        var firstNumber = await ScalarAsync(connection, $"SELECT count(*) FROM {Schema}.mt_streams WHERE id LIKE 'req\\_%'", ct) + 1;
        var streamCopy = await CopyListAsync(connection, "mt_streams", new()
        {
            ["id"] = "f.id", ["timestamp"] = "now()", ["created"] = "now()",
        }, ct);
        var eventCopy = await CopyListAsync(connection, "mt_events", new()
        {
            ["seq_id"] = "{base} + (f.n - {from}) * " + perStream + " + t.version",
            ["id"] = "gen_random_uuid()",
            ["stream_id"] = "f.id",
            ["data"] = $"replace(replace(t.data::text, '{templateId}', f.id), '{challengeId}', f.chl)::jsonb",
            ["timestamp"] = "now()",
        }, ct);
        var viewCopy = await CopyListAsync(connection, "mt_doc_challengerequestview", new()
        {
            ["id"] = "f.id",
            ["data"] = $"replace(replace(t.data::text, '{templateId}', f.id), '{challengeId}', f.chl)::jsonb",
            ["challenge_id"] = "CASE WHEN t.challenge_id IS NULL THEN NULL ELSE f.chl END",
            ["mt_last_modified"] = "now()",
        }, ct);

        // The time part: one millisecond per copy, ending a second before now.
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var firstMs = nowMs - 1000 - streams;
        log.Info($"bulk fill: {streams} copies of {templateId} ({perStream} events each), {before} events before");
        for (var done = 0L; done < streams; done += StreamsPerBatch)
        {
            var count = Math.Min(StreamsPerBatch, streams - done);
            var from = firstNumber + done;
            var to = from + count - 1;
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var @base = await ScalarAsync(connection, $"SELECT GREATEST((SELECT COALESCE(MAX(seq_id), 0) FROM {Schema}.mt_events), (SELECT last_value FROM {Schema}.mt_events_sequence))", ct);
            var sql = $"""
                CREATE TEMP TABLE fill_ids ON COMMIT DROP AS
                  SELECT g AS n, 'req_' || substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-8' || substr(r, 4, 3) || '-' || lpad(to_hex(g), 12, '0') AS id,
                         'chl_' || md5('chl' || g::text) AS chl
                  FROM (SELECT g, lpad(to_hex({firstMs - firstNumber} + g), 12, '0') AS h, md5(g::text) AS r FROM generate_series({from}, {to}) g) s;
                INSERT INTO {Schema}.mt_streams ({streamCopy.Columns}) SELECT {streamCopy.Values} FROM fill_ids f CROSS JOIN {Schema}.mt_streams t WHERE t.id = '{templateId}';
                INSERT INTO {Schema}.mt_events ({eventCopy.Columns}) SELECT {eventCopy.Values.Replace("{base}", @base.ToString()).Replace("{from}", from.ToString())}
                  FROM fill_ids f CROSS JOIN {Schema}.mt_events t WHERE t.stream_id = '{templateId}' ORDER BY f.n, t.version;
                INSERT INTO {Schema}.mt_doc_challengerequestview ({viewCopy.Columns}) SELECT {viewCopy.Values} FROM fill_ids f CROSS JOIN {Schema}.mt_doc_challengerequestview t WHERE t.id = '{templateId}';
                SELECT setval('{Schema}.mt_events_sequence', {@base + count * perStream});
                INSERT INTO {Schema}.app_list_versions (client_id, version)
                  SELECT client_id, nextval('{Schema}.app_list_version_seq') FROM {Schema}.mt_doc_challengerequestview WHERE id = '{templateId}'
                  ON CONFLICT (client_id) DO UPDATE SET version = EXCLUDED.version;
                """;
            await using (var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 })
                await command.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            log.Info($"bulk fill: {done + count}/{streams} streams ({(done + count) * perStream} events) in {clock.Elapsed.TotalSeconds:0.0} s");
        }
        var seconds = clock.Elapsed.TotalSeconds;

        // Not timed: fresh planner statistics and a checkpoint, as a store that grew over time would have.
        await ExecuteAsync(connection, $"ANALYZE {Schema}.mt_events; ANALYZE {Schema}.mt_streams; ANALYZE {Schema}.mt_doc_challengerequestview", ct);
        try { await ExecuteAsync(connection, "CHECKPOINT", ct); }
        catch (PostgresException e) { log.Info($"bulk fill: no checkpoint ({e.MessageText})"); }
        var after = await ScalarAsync(connection, $"SELECT count(*) FROM {Schema}.mt_events", ct);
        return new FillFigures(before, after - before, streams, seconds);
    }

    /// <summary>
    /// Moves the relay's progress (and nothing else) to the highest sequence: the relay then publishes only
    /// what comes after, as if it had published the filled events already. requests-api must be stopped.
    /// </summary>
    public async Task SkipRelayPastAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, $"""
            INSERT INTO {Schema}.mt_event_progression (name, last_seq_id, last_updated)
            VALUES ('{RelayShard}', (SELECT COALESCE(MAX(seq_id), 0) FROM {Schema}.mt_events), now())
            ON CONFLICT (name) DO UPDATE SET last_seq_id = EXCLUDED.last_seq_id, last_updated = now()
            """, ct);
    }

    private sealed record CopyList(string Columns, string Values);

    /// <summary>The table's columns and, for each, the template's value or the given expression.</summary>
    private static async Task<CopyList> CopyListAsync(NpgsqlConnection connection, string table, Dictionary<string, string> replaced, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY ordinal_position
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        var columns = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        if (columns.Count == 0) throw new SetupException($"{Schema}.{table} has no columns: is the schema applied?");
        foreach (var name in replaced.Keys)
            if (!columns.Contains(name)) throw new SetupException($"{Schema}.{table} has no column {name}: Marten's tables changed; adapt BulkFill.");
        return new CopyList(
            string.Join(", ", columns.Select(c => $"\"{c}\"")),
            string.Join(", ", columns.Select(c => replaced.TryGetValue(c, out var expression) ? expression : $"t.\"{c}\"")));
    }

    private static async Task<string> TemplateChallengeIdAsync(NpgsqlConnection connection, string templateId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT challenge_id FROM {Schema}.mt_doc_challengerequestview WHERE id = '{templateId}'", connection);
        return await command.ExecuteScalarAsync(ct) is string id && ChallengeId().IsMatch(id)
            ? id
            : throw new SetupException($"The template {templateId} is not scheduled (no challenge id in its view).");
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex("^req_[0-9a-f-]{36}$")]
    private static partial Regex RequestId();

    [GeneratedRegex("^chl_[0-9a-zA-Z]{1,64}$")]
    private static partial Regex ChallengeId();
}
