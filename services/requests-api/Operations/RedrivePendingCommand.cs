using JasperFx.CommandLine;
using Marten;
using ProductionTests.Contracts;
using Spectre.Console;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.RequestsApi.Operations;

public sealed class RedrivePendingInput : NetCoreInput
{
    [Description("Requests still pending this many minutes after they were created (default 10)"), FlagAlias("older-than-minutes", 'm')]
    public double OlderThanMinutesFlag { get; set; } = 10;

    [Description("Count them, publish nothing"), FlagAlias("dry-run")]
    public bool DryRunFlag { get; set; }
}

/// <summary>Publishes ChallengeRequested again for requests stuck in pending; the scheduler is idempotent on the request id.</summary>
[Description("Republishes ChallengeRequested for requests still pending after N minutes", Name = "redrive-pending")]
public sealed class RedrivePendingCommand : JasperFxAsyncCommand<RedrivePendingInput>
{
    public override async Task<bool> Execute(RedrivePendingInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var cutoff = host.Services.GetRequiredService<TimeProvider>().GetUtcNow() - TimeSpan.FromMinutes(input.OlderThanMinutesFlag);

        await using var session = store.QuerySession();
        var pending = await session.Query<ChallengeRequestView>()
            .Where(v => v.Status == ChallengeRequestView.Pending && v.CreatedAt < cutoff)
            .OrderBy(v => v.CreatedAt)
            .Select(v => v.Id)
            .ToListAsync();
        if (input.DryRunFlag || pending.Count == 0)
        {
            AnsiConsole.MarkupLine($"{pending.Count} requests pending since before {cutoff:O}{(input.DryRunFlag ? "; nothing published (dry run)" : "")}.");
            return true;
        }

        await using var bus = await OpsBus.StartAsync(host.Services.GetRequiredService<IConfiguration>(), CancellationToken.None);
        var published = 0;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var task = progress.AddTask("Redriving pending requests", maxValue: pending.Count);
            foreach (var id in pending)
            {
                var requested = (await session.Events.FetchStreamAsync(id)).FirstOrDefault(e => e.Data is ChallengeRequested);
                if (requested is not null)
                {
                    await bus.RepublishAsync(requested, CancellationToken.None);
                    published++;
                }
                task.Increment(1);
            }
        });
        AnsiConsole.MarkupLine($"Republished ChallengeRequested for {published} of {pending.Count} pending requests.");
        return true;
    }
}
