using System.Buffers;
using System.Text.Json;
using Marten;
using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>
/// Reads the list from the view table with SQL the indexes serve (see RequestStreamsSetup): the app's list
/// version (<see cref="AppListVersions"/>) and a page are each one index look-up, whatever the app's size.
/// </summary>
public static class ListReader
{
    private static readonly string View = $"{EventStoreSetup.Schema}.mt_doc_challengerequestview";
    // Exactly the expression of the index (client_id, (data ->> 'Status'), created_at, id), or the index is not used.
    private const string Status = "(data ->> 'Status')";

    public sealed record Page(IReadOnlyList<ChallengeRequestView> Views, ListCursor? Next);

    /// <summary>
    /// The items the query selects, newest first, and the app's list version, read before them in the same round trip:
    /// the items are never older than the version says (a change committed between the two statements makes them
    /// newer, which costs the caller one more 200, never a wrong 304, and such an answer is never given again from
    /// <see cref="ListAnswerCache"/>: the version it is kept under is already gone).
    /// </summary>
    public static async Task<(long Version, Page Page)> ReadAsync(IDocumentStore store, ListConnections connections, string clientId, ListQuery query,
        CancellationToken ct)
    {
        // A page on the list's own connections (generic plans: each page statement has one right plan); the whole list on
        // the store's, planned for its app: it reads every item of the app, which planning costs nothing beside.
        await using var connection = query.Paged ? connections.Create() : store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(AppListVersions.ReadSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = clientId } } });
        var statuses = query.EffectiveStatuses;
        var rows = statuses is { Count: 0 } ? null : RowsCommand(clientId, query, statuses);
        if (rows is not null) batch.BatchCommands.Add(rows);

        var views = new List<(ChallengeRequestView View, DateTime CreatedAt)>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var version = await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
        if (rows is not null)
        {
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
                views.Add((ReadView(reader), reader.GetDateTime(1)));
        }

        if (!query.Paged || views.Count <= query.PageSize) return (version, new Page(views.Select(v => v.View).ToList(), null));
        var last = views[query.PageSize - 1];
        return (version, new Page(views.Take(query.PageSize).Select(v => v.View).ToList(), new ListCursor(last.CreatedAt, last.View.Id)));
    }

    /// <summary>The row's view from its stored JSON, read as <see cref="StoredViewJson"/> says.</summary>
    private static ChallengeRequestView ReadView(NpgsqlDataReader reader)
    {
        using var data = reader.GetStream(2);
        // Whole in one buffer: the serializer reads a span in one pass, a stream by a slower resumable path.
        var length = checked((int)data.Length);
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.ReadExactly(bytes, 0, length);
            // jsonb comes in its binary form: a version byte (1), then the JSON text.
            if (length == 0 || bytes[0] != 1) throw new InvalidOperationException("The view's jsonb is not in binary format version 1.");
            return JsonSerializer.Deserialize(bytes.AsSpan(1, length - 1), StoredViewJson.Default.ChallengeRequestView)
                ?? throw new InvalidOperationException($"The view of {reader.GetString(0)} is null.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Without filters: one backward range scan of (client_id, created_at, id). With a set of statuses: one such scan
    /// of (client_id, data ->> 'Status', created_at, id) per status, each stopped after a page, merged; so a filtered page
    /// too costs a page, however rare its items are. The whole list (no page) reads every item of the app.
    /// </summary>
    private static NpgsqlBatchCommand RowsCommand(string clientId, ListQuery query, IReadOnlyList<string>? statuses)
    {
        var command = new NpgsqlBatchCommand();
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientId });
        const string order = "ORDER BY created_at DESC, id DESC";
        if (!query.Paged)
        {
            if (statuses is null)
                command.CommandText = $"SELECT id, created_at, data FROM {View} WHERE client_id = $1 {order}";
            else
            {
                command.CommandText = $"SELECT id, created_at, data FROM {View} WHERE client_id = $1 AND {Status} = ANY($2) {order}";
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = statuses.ToArray() });
            }
            return command;
        }

        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.PageSize + 1 });
        var after = "";
        if (query.After is { } cursor)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cursor.CreatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cursor.Id });
            after = "AND (created_at, id) < ($3, $4)";
        }
        if (statuses is null)
        {
            command.CommandText = $"SELECT id, created_at, data FROM {View} WHERE client_id = $1 {after} {order} LIMIT $2";
            return command;
        }
        // Each status is written into the statement, not bound: a generic plan then knows it (and the index's statistics
        // for it), and picks the status index for a rare one; with a parameter it scanned the list index and filtered.
        var scans = new List<string>();
        foreach (var status in statuses)
        {
            if (!ListQuery.StatusValues.Contains(status)) throw new ArgumentException($"Unknown status '{status}'.", nameof(query));
            scans.Add($"(SELECT id, created_at, data FROM {View} WHERE client_id = $1 AND {Status} = '{status}' {after} {order} LIMIT $2)");
        }
        command.CommandText = $"SELECT id, created_at, data FROM ({string.Join(" UNION ALL ", scans)}) AS page {order} LIMIT $2";
        return command;
    }
}
