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
/// Recomputes ChallengeRequestView from the events, stream by stream, while the API keeps serving:
/// nothing is deleted first, each view is replaced in place. If an event lands on a stream while its
/// view is being rebuilt, that stream is rebuilt again, so a live outcome is never overwritten.
/// </summary>
[Description("Rebuilds the request views from the event store (all, or --stream one) without stopping the API", Name = "rebuild-views")]
public sealed class RebuildViewsCommand : JasperFxAsyncCommand<RebuildViewsInput>
{
    public override async Task<bool> Execute(RebuildViewsInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var ids = input.StreamFlag is { } one ? [one] : await AllStreamIdsAsync(store);
        int rebuilt = 0, retried = 0, missing = 0;

        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("Rebuilding request views", maxValue: Math.Max(ids.Count, 1));
            foreach (var id in ids)
            {
                switch (await ViewRebuild.RebuildAsync(store, id, CancellationToken.None))
                {
                    case ViewRebuild.Result.Rebuilt: rebuilt++; break;
                    case ViewRebuild.Result.RebuiltAfterRetry: rebuilt++; retried++; break;
                    case ViewRebuild.Result.NoSuchStream: missing++; break;
                }
                task.Increment(1);
            }
        });

        AnsiConsole.MarkupLine($"Rebuilt {rebuilt} views ({retried} again because an event landed meanwhile); {missing} streams not found.");
        return missing == 0;
    }

    private static async Task<List<string>> AllStreamIdsAsync(IDocumentStore store)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT id FROM {EventStoreSetup.Schema}.mt_streams WHERE id LIKE 'req\\_%' ORDER BY id", connection);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }
}

public static class ViewRebuild
{
    public enum Result { Rebuilt, RebuiltAfterRetry, NoSuchStream }

    public static async Task<Result> RebuildAsync(IDocumentStore store, string id, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var before = await session.Events.FetchStreamStateAsync(id, ct);
            if (before is null) return Result.NoSuchStream;
            var view = await session.Events.AggregateStreamAsync<ChallengeRequestView>(id, token: ct);
            if (view is null) return Result.NoSuchStream;
            session.Store(view);
            await session.SaveChangesAsync(ct);

            await using var check = store.QuerySession();
            var after = await check.Events.FetchStreamStateAsync(id, ct);
            if (after?.Version == before.Version) return attempt == 1 ? Result.Rebuilt : Result.RebuiltAfterRetry;
        }
    }
}
