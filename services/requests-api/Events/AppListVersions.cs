using Marten;
using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Infrastructure;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ProductionTests.RequestsApi.Events;

/// <summary>
/// One number per app that changes in the transaction of every change to one of its views: the list's
/// ETag (conditional GET) is made of it, so a revalidation reads one row instead of the list. Every Marten
/// session that appends a request's events bumps its app's number (<see cref="Listener"/>), and so does
/// whatever writes views without events (rebuild-views, the benchmark's bulk fill). Why a counter row and
/// not the events' sequence: docs/decisions/0015-list-pages-filters-and-etags.md.
/// </summary>
public static class AppListVersions
{
    public const string Table = "app_list_versions";
    public const string Sequence = "app_list_version_seq";
    public static readonly string QualifiedTable = $"{EventStoreSetup.Schema}.{Table}";

    /// <summary>
    /// The apps' rows, locked in client id order (so two transactions that touch the same apps cannot deadlock),
    /// each set to a new value of one sequence: a number never handed out twice, so an old ETag never matches a later state.
    /// </summary>
    public static readonly string BumpSql = $"""
        INSERT INTO {QualifiedTable} AS v (client_id, version)
        SELECT id, nextval('{EventStoreSetup.Schema}.{Sequence}') FROM (SELECT DISTINCT unnest(?) AS id ORDER BY 1) AS apps
        ON CONFLICT (client_id) DO UPDATE SET version = EXCLUDED.version
        """;

    public static readonly string ReadSql = $"SELECT version FROM {QualifiedTable} WHERE client_id = $1";

    /// <summary>The table and its sequence, created and updated with the rest of the store's schema.</summary>
    public static void AddTo(StoreOptions options)
    {
        var table = new Table(new PostgresqlObjectName(EventStoreSetup.Schema, Table, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("client_id").AsPrimaryKey();
        table.AddColumn<long>("version").NotNull();
        options.Storage.ExtendedSchemaObjects.Add(table);
        options.Storage.ExtendedSchemaObjects.Add(new Sequence(new PostgresqlObjectName(EventStoreSetup.Schema, Sequence, SchemaUtils.IdentifierUsage.General)));
        options.Listeners.Add(new Listener());
    }

    /// <summary>The app of each request event a session is about to append (from the registry); null for anything else.</summary>
    public static string? ClientIdOf(object data) => RequestEvents.Of(data)?.ClientIdOf(data);

    /// <summary>Bumps the apps' numbers on a connection of one's own (in its transaction, if it has one).</summary>
    public static async Task BumpAsync(NpgsqlConnection connection, IEnumerable<string> clientIds, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        var ids = clientIds.Distinct().ToArray();
        if (ids.Length == 0) return;
        await using var command = new NpgsqlCommand(BumpSql.Replace("unnest(?)", "unnest($1)"), connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = ids });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Queues the bump into every session that appends request events, so it commits (or not) with them:
    /// creates, outcomes, and anything else that appends through Marten.
    /// </summary>
    private sealed class Listener : DocumentSessionListenerBase
    {
        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            var apps = session.PendingChanges.Streams()
                .SelectMany(s => s.Events)
                .Select(e => ClientIdOf(e.Data))
                .OfType<string>()
                .Distinct()
                .ToArray();
            if (apps.Length > 0) session.QueueSqlCommand(BumpSql, new object[] { apps });
            return Task.CompletedTask;
        }
    }
}
