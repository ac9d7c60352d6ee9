using System.Text.Json;
using JasperFx.CommandLine;
using Marten;
using Spectre.Console;

namespace ProductionTests.RequestsApi.Operations;

public sealed class StreamInput : NetCoreInput
{
    [Description("The request id (stream id), req_<uuid>")]
    public string Id { get; set; } = "";
}

[Description("Shows one request's events: type, version, sequence, timestamp and data", Name = "stream")]
public sealed class StreamCommand : JasperFxAsyncCommand<StreamInput>
{
    public override async Task<bool> Execute(StreamInput input)
    {
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(input.Id);
        if (events.Count == 0)
        {
            AnsiConsole.MarkupLine($"[red]No stream {Markup.Escape(input.Id)}.[/]");
            return false;
        }

        var json = new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true };
        foreach (var e in events)
        {
            AnsiConsole.MarkupLine($"[bold]version {e.Version}[/]  sequence {e.Sequence}  [green]{Markup.Escape(e.EventTypeName)}[/]  {e.Timestamp.UtcDateTime:O}");
            Console.WriteLine(JsonSerializer.Serialize(e.Data, e.Data.GetType(), json));
        }
        AnsiConsole.MarkupLine($"{events.Count} events in {Markup.Escape(input.Id)}.");
        return true;
    }
}
