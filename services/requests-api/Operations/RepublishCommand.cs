using JasperFx.CommandLine;
using JasperFx.Events;
using Marten;
using Spectre.Console;

namespace ProductionTests.RequestsApi.Operations;

public sealed class RepublishInput : NetCoreInput
{
    [Description("Only this request's events"), FlagAlias("stream", 's')]
    public string? StreamFlag { get; set; }

    [Description("Only events at or after this time (ISO 8601)"), FlagAlias("from", true)]
    public string? FromFlag { get; set; }

    [Description("Only events before this time (ISO 8601)"), FlagAlias("to", true)]
    public string? ToFlag { get; set; }

    [Description("Only events of this type: ChallengeRequested, ChallengeScheduled or ChallengeFailed"), FlagAlias("type", 't')]
    public string? TypeFlag { get; set; }

    [Description("Count what would be published, publish nothing"), FlagAlias("dry-run")]
    public bool DryRunFlag { get; set; }
}

/// <summary>
/// Publishes stored events to the bus again, for a subscriber that lost its data. Safe: the scheduler
/// gets the same challenge back for a ChallengeRequested, and an outcome that is already recorded
/// changes nothing. Each message carries <c>Replay: true</c> and its event id as MessageId.
/// </summary>
[Description("Republishes events to RabbitMQ (--stream, --from/--to, --type), marked with a Replay header", Name = "republish")]
public sealed class RepublishCommand : JasperFxAsyncCommand<RepublishInput>
{
    public override async Task<bool> Execute(RepublishInput input)
    {
        if (input.StreamFlag is null && input.FromFlag is null && input.ToFlag is null && input.TypeFlag is null)
        {
            AnsiConsole.MarkupLine("[red]Say what to republish: --stream, --from/--to and/or --type (use --type with --from 1970-01-01 for everything of a type).[/]");
            return false;
        }
        DateTimeOffset? from = input.FromFlag is null ? null : DateTimeOffset.Parse(input.FromFlag);
        DateTimeOffset? to = input.ToFlag is null ? null : DateTimeOffset.Parse(input.ToFlag);

        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var selected = await SelectAsync(store, input.StreamFlag, from, to, input.TypeFlag);
        if (input.DryRunFlag)
        {
            AnsiConsole.MarkupLine($"Would republish {selected.Count} events.");
            return true;
        }

        await using var bus = await OpsBus.StartAsync(host.Services.GetRequiredService<IConfiguration>(), CancellationToken.None);
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("Republishing", maxValue: Math.Max(selected.Count, 1));
            foreach (var page in selected.Chunk(100))
            {
                await Task.WhenAll(page.Select(e => bus.RepublishAsync(e, CancellationToken.None)));
                task.Increment(page.Length);
            }
        });
        AnsiConsole.MarkupLine($"Republished {selected.Count} events ({string.Join(", ", selected.GroupBy(e => e.Data.GetType().Name).Select(g => $"{g.Count()} {g.Key}"))}).");
        return true;
    }

    /// <summary>The contract events matching every filter given, in store order.</summary>
    public static async Task<List<IEvent>> SelectAsync(IDocumentStore store, string? streamId, DateTimeOffset? from, DateTimeOffset? to, string? type)
    {
        await using var session = store.QuerySession();
        if (streamId is not null)
            return (await session.Events.FetchStreamAsync(streamId)).Where(e => Matches(e, from, to, type)).ToList();

        var selected = new List<IEvent>();
        long last = 0;
        while (true)
        {
            var query = session.Events.QueryAllRawEvents().Where(e => e.Sequence > last);
            if (from is { } f) query = query.Where(e => e.Timestamp >= f);
            if (to is { } t) query = query.Where(e => e.Timestamp < t);
            var page = await query.OrderBy(e => e.Sequence).Take(1000).ToListAsync();
            if (page.Count == 0) return selected;
            selected.AddRange(page.Where(e => Matches(e, from, to, type)));
            last = page[^1].Sequence;
        }
    }

    private static bool Matches(IEvent e, DateTimeOffset? from, DateTimeOffset? to, string? type) =>
        OpsBus.IsContractEvent(e)
        && (from is null || e.Timestamp >= from)
        && (to is null || e.Timestamp < to)
        && (type is null || e.Data.GetType().Name.Equals(type, StringComparison.OrdinalIgnoreCase));
}
