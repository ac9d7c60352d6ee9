using JasperFx.CommandLine;
using Marten;
using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Events;
using Spectre.Console;

namespace ProductionTests.RequestsApi.Operations;

public sealed class RebuildViewsInput : NetCoreInput
{
    [Description("Rebuild only this request's view"), FlagAlias("stream", 's')]
    public string? StreamFlag { get; set; }

    [Description("Write every view, also those the events show to be right already"), FlagAlias("all", true)]
    public bool AllFlag { get; set; }
}

/// <summary>
/// Recomputes ChallengeRequestView from the events while the API keeps serving: nothing is deleted
/// first, each view is replaced in place, a page of streams at a time (see <see cref="ViewRebuild"/>).
/// </summary>
[Description("Rebuilds the request views from the event store (all, or --stream one) without stopping the API", Name = "rebuild-views")]
public sealed class RebuildViewsCommand : JasperFxAsyncCommand<RebuildViewsInput>
{
    public override async Task<bool> Execute(RebuildViewsInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        ViewRebuild.Totals totals = new(0, 0, 0, 0, 0);

        if (input.StreamFlag is { } one)
            totals = await ViewRebuild.RebuildAsync(store, new ViewRebuild.Page(one, one, Inclusive: true), input.AllFlag, CancellationToken.None);
        else
        {
            var pages = await ViewRebuild.PagesAsync(store, CancellationToken.None);
            var gate = new Lock();
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("Rebuilding request views", maxValue: Math.Max(pages.Count, 1));
                // A few pages at once: reading and folding one while PostgreSQL writes another.
                await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = ViewRebuild.PagesAtOnce }, async (page, ct) =>
                {
                    var done = await ViewRebuild.RebuildAsync(store, page, input.AllFlag, ct);
                    lock (gate) totals = totals.Add(done);
                    task.Increment(1);
                });
            });
        }

        var seconds = started.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLine($"Rebuilt {totals.Views} views from {totals.Events} events in {seconds:0.0} s ({totals.Events / Math.Max(seconds, 0.001):0} events/s); " +
            $"{totals.Written} written ({(input.AllFlag ? "--all" : "the others were right")}), {totals.Again} again because an event landed meanwhile; {totals.Missing} streams not found.");
        return totals.Missing == 0;
    }
}

/// <summary>
/// Pages of streams in id order (so in creation order), a few at once: a page's events are read in one query,
/// folded into views in memory, and the views written with Marten's bulk upsert (COPY). Nothing is
/// locked, so appends go on meanwhile; a stream whose version changed while its page was being rebuilt
/// (a live outcome) is rebuilt again once its page is written, so an outcome is never lost from its view.
/// The API keeps serving the old views until each page is written.
/// </summary>
public static class ViewRebuild
{
    public const int PageSize = 5000;
    public const int PagesAtOnce = 2;

    public sealed record Totals(int Views, int Written, int Events, int Missing, int Again)
    {
        public Totals Add(Totals page) => new(Views + page.Views, Written + page.Written, Events + page.Events, Missing + page.Missing, Again + page.Again);
    }

    /// <summary>The streams with ids after <see cref="From"/> (or from it, when <see cref="Inclusive"/>) up to <see cref="To"/> (null: no end).</summary>
    public sealed record Page(string From, string? To, bool Inclusive = false);

    /// <summary>Every request stream, cut into pages of <see cref="PageSize"/> streams in id order.</summary>
    public static async Task<List<Page>> PagesAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {EventStoreSetup.Schema}.mt_streams WHERE id LIKE 'req\_%') AS streams
            WHERE n % {PageSize} = 0 ORDER BY id
            """, connection);
        var pages = new List<Page>();
        var from = "";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var to = reader.GetString(0);
            pages.Add(new Page(from, to));
            from = to;
        }
        pages.Add(new Page(from, null));
        return pages;
    }

    /// <summary>Rebuilds the views of one page of streams.</summary>
    public static async Task<Totals> RebuildAsync(IDocumentStore store, Page page, bool all, CancellationToken ct)
    {
        var range = page switch
        {
            { Inclusive: true, To: { } to } when to == page.From => ("id = @from", page.From, (string?)null),
            { To: null } => ("id LIKE 'req\\_%' AND id > @from", page.From, null),
            _ => ("id LIKE 'req\\_%' AND id > @from AND id <= @to", page.From, page.To),
        };
        var versions = await VersionsAsync(store, range, ct);
        if (versions.Count == 0) return new Totals(0, 0, 0, page.Inclusive ? 1 : 0, 0);

        var (views, written, events) = await WriteViewsAsync(store, versions.Keys.ToArray(), all, ct);
        var again = 0;
        // Streams appended to while their page was rebuilt: redone until they hold still.
        for (var changed = await ChangedAsync(store, versions, ct); changed.Count > 0; changed = await ChangedAsync(store, changed, ct))
        {
            again += changed.Count;
            await WriteViewsAsync(store, changed.Keys.ToArray(), all: true, ct);
        }
        return new Totals(views, written, events, versions.Count - views, again);
    }

    /// <summary>Folds the streams' events into views and writes those that differ from the stored ones (all, with <paramref name="all"/>).</summary>
    private static async Task<(int Views, int Written, int Events)> WriteViewsAsync(IDocumentStore store, string[] ids, bool all, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // The two statements below take a page of ids (and views) as arrays, which a generic plan serves far better
        // than plans made for each page's values (see docs/decisions, view rebuild). For this connection only: it
        // overrides the store's plan-every-execution default (EventStoreSetup.WithDefaults); the pool's reset puts it back.
        await using (var generic = new NpgsqlCommand("SET plan_cache_mode = force_generic_plan", connection))
            await generic.ExecuteNonQueryAsync(ct);
        var events = await ReadEventsAsync(store, connection, ids, ct);
        var views = events.GroupBy(e => e.Stream)
            .Select(stream => ChallengeRequestProjection.Fold(stream.Select(e => e.Data)))
            .OfType<ChallengeRequestView>()
            .ToList();
        // Writing a view costs far more than comparing it (the upsert and its indexes), and a rebuild mostly
        // finds views that are right: only those that differ are written.
        var changed = all ? views : await DifferingAsync(store, connection, views, ct);
        if (changed.Count > 0)
        {
            await store.BulkInsertAsync(changed, Weasel.Core.BulkInsertMode.OverwriteExisting, batchSize: PageSize, cancellation: ct);
            // After the views are committed, so no list is ever answered older than its ETag (AppListVersions).
            await AppListVersions.BumpAsync(connection, changed.Select(v => v.ClientId), ct);
        }
        return (views.Count, changed.Count, events.Count);
    }

    /// <summary>
    /// The streams' events in order, read with Npgsql and deserialized row by row with Marten's serializer.
    /// Marten's own queries deserialize each row asynchronously from a stream, much slower per row (see
    /// docs/decisions, view rebuild). Stored names, older versions and their upcasters come from
    /// <see cref="RequestEvents"/>, the list the store itself is configured from.
    /// </summary>
    private static async Task<List<(string Stream, object Data)>> ReadEventsAsync(IDocumentStore store, NpgsqlConnection connection, string[] ids, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        await using var command = new NpgsqlCommand($"""
            SELECT stream_id, type, data FROM {EventStoreSetup.Schema}.mt_events
            WHERE stream_id = ANY(@ids) AND NOT is_archived ORDER BY stream_id, version
            """, connection);
        command.Parameters.AddWithValue("ids", ids);
        await command.PrepareAsync(ct);
        var events = new List<(string Stream, object Data)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (RequestEvents.ByStoredName.TryGetValue(reader.GetString(1), out var stored))
                events.Add((reader.GetString(0), stored.ToCurrent(serializer.FromJson(stored.Stored, reader, 2))));
        }
        return events;
    }

    /// <summary>
    /// Those of <paramref name="views"/> whose stored document is missing or not equal, as JSON values, to the
    /// one Marten's serializer writes for them now. PostgreSQL compares (jsonb equality ignores key order
    /// and spacing), so the stored views are never read into .NET, where reading and re-serializing them
    /// would cost more than the rebuild's own work.
    /// </summary>
    private static async Task<List<ChallengeRequestView>> DifferingAsync(IDocumentStore store, NpgsqlConnection connection, List<ChallengeRequestView> views, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        await using var command = new NpgsqlCommand($"""
            SELECT n.id FROM unnest(@ids, @data) AS n(id, data)
            LEFT JOIN {EventStoreSetup.Schema}.mt_doc_challengerequestview v ON v.id = n.id
            WHERE v.data IS DISTINCT FROM n.data
            """, connection);
        command.Parameters.AddWithValue("ids", views.Select(v => v.Id).ToArray());
        command.Parameters.Add(new NpgsqlParameter("data", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb)
        {
            Value = views.Select(v => serializer.ToJson(v)).ToArray(),
        });
        await command.PrepareAsync(ct);
        var differing = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) differing.Add(reader.GetString(0));
        return views.Where(v => differing.Contains(v.Id)).ToList();
    }

    /// <summary>Those of <paramref name="before"/> whose version is no longer the one given, with their new version.</summary>
    private static async Task<Dictionary<string, long>> ChangedAsync(IDocumentStore store, IReadOnlyDictionary<string, long> before, CancellationToken ct)
    {
        var now = await VersionsAsync(store, ("id = ANY(@from)", before.Keys.ToArray(), null), ct);
        return now.Where(v => before.TryGetValue(v.Key, out var version) && version != v.Value).ToDictionary();
    }

    private static async Task<Dictionary<string, long>> VersionsAsync(IDocumentStore store, (string Where, object From, string? To) filter, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT id, version FROM {EventStoreSetup.Schema}.mt_streams WHERE {filter.Where}", connection);
        command.Parameters.AddWithValue("from", filter.From);
        if (filter.To is not null) command.Parameters.AddWithValue("to", filter.To);
        var versions = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        return versions;
    }
}
