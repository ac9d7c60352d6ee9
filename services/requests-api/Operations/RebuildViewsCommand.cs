using JasperFx.CommandLine;
using Marten;
using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ProductionTests;
using Spectre.Console;

namespace ProductionTests.RequestsApi.Operations;

public sealed class RebuildViewsInput : NetCoreInput
{
    [Description("Rebuild only this request's view"), FlagAlias("stream", 's')]
    public string? StreamFlag { get; set; }
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
        ViewRebuild.Totals totals = new(0, 0, 0, 0);

        if (input.StreamFlag is { } one)
            totals = await ViewRebuild.RebuildPageAsync(store, after: null, only: one, CancellationToken.None) ?? totals;
        else
        {
            var streams = await ViewRebuild.CountStreamsAsync(store, CancellationToken.None);
            await AnsiConsole.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("Rebuilding request views", maxValue: Math.Max(streams, 1));
                string? after = null;
                while (await ViewRebuild.RebuildPageAsync(store, after, only: null, CancellationToken.None) is { } page)
                {
                    totals = totals.Add(page);
                    after = page.LastStream;
                    task.Increment(page.Views);
                }
            });
        }

        var seconds = started.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLine($"Rebuilt {totals.Views} views from {totals.Events} events in {seconds:0.0} s ({totals.Events / Math.Max(seconds, 0.001):0} events/s; {totals.Again} again because an event landed meanwhile); {totals.Missing} streams not found.");
        return totals.Missing == 0;
    }
}

/// <summary>
/// A page of streams at a time, in id order (so in creation order): their events are read in one query,
/// folded into views in memory, and the views written with Marten's bulk upsert (COPY). Nothing is
/// locked, so appends go on meanwhile; a stream whose version changed while its page was being rebuilt
/// (a live outcome) is rebuilt again once its page is written, so an outcome is never lost from its view.
/// The API keeps serving the old views until each page is written.
/// </summary>
public static class ViewRebuild
{
    public const int PageSize = 5000;

    public sealed record Totals(int Views, int Events, int Missing, int Again, string? LastStream = null)
    {
        public Totals Add(Totals page) => new(Views + page.Views, Events + page.Events, Missing + page.Missing, Again + page.Again, page.LastStream);
    }

    public static async Task<int> CountStreamsAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {EventStoreSetup.Schema}.mt_streams WHERE id LIKE 'req\\_%'", connection);
        return (int)(long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Rebuilds the page of streams after <paramref name="after"/> (or just <paramref name="only"/>); null when there is none left.</summary>
    public static async Task<Totals?> RebuildPageAsync(IDocumentStore store, string? after, string? only, CancellationToken ct)
    {
        var versions = await VersionsAsync(store, only is not null
            ? ("id = @value", only)
            : ($"id LIKE 'req\\_%' AND id > @value ORDER BY id LIMIT {PageSize}", after ?? ""), ct);
        if (versions.Count == 0) return only is null ? null : new Totals(0, 0, 1, 0);

        var (views, events) = await WriteViewsAsync(store, versions.Keys.ToArray(), ct);
        var again = 0;
        // Streams appended to while their page was rebuilt: redone until they hold still.
        for (var changed = await ChangedAsync(store, versions, ct); changed.Count > 0; changed = await ChangedAsync(store, changed, ct))
        {
            again += changed.Count;
            await WriteViewsAsync(store, changed.Keys.ToArray(), ct);
        }
        return new Totals(views, events, versions.Count - views, again, versions.Keys.Max(StringComparer.Ordinal));
    }

    private static async Task<(int Views, int Events)> WriteViewsAsync(IDocumentStore store, string[] ids, CancellationToken ct)
    {
        List<JasperFx.Events.IEvent> events;
        await using (var session = store.QuerySession())
            events = (await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamKey!.IsOneOf(ids))
                .OrderBy(e => e.Sequence)
                .ToListAsync(ct)).ToList();
        var views = events.GroupBy(e => e.StreamKey!)
            .Select(stream => ChallengeRequestView.Replay(stream.Select(e => e.Data)))
            .OfType<ChallengeRequestView>()
            .ToList();
        if (views.Count > 0) await store.BulkInsertAsync(views, Weasel.Core.BulkInsertMode.OverwriteExisting, batchSize: PageSize, cancellation: ct);
        return (views.Count, events.Count);
    }

    /// <summary>Those of <paramref name="before"/> whose version is no longer the one given, with their new version.</summary>
    private static async Task<Dictionary<string, long>> ChangedAsync(IDocumentStore store, IReadOnlyDictionary<string, long> before, CancellationToken ct)
    {
        var now = await VersionsAsync(store, ("id = ANY(@value)", before.Keys.ToArray()), ct);
        return now.Where(v => before.TryGetValue(v.Key, out var version) && version != v.Value).ToDictionary();
    }

    private static async Task<Dictionary<string, long>> VersionsAsync(IDocumentStore store, (string Where, object Value) filter, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT id, version FROM {EventStoreSetup.Schema}.mt_streams WHERE {filter.Where}", connection);
        command.Parameters.AddWithValue("value", filter.Value);
        var versions = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
        return versions;
    }
}
