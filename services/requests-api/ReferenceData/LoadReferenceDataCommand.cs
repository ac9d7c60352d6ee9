using JasperFx.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace ProductionTests.RequestsApi.ReferenceData;

public sealed class LoadReferenceDataInput : NetCoreInput
{
    [Description("Path of the reference data JSON file (see deploy/demo-data.json)")]
    public string File { get; set; } = "";
}

[Description("Loads or updates workspaces, API key hashes, apps and providers from a file; safe to repeat", Name = "load-reference-data")]
public sealed class LoadReferenceDataCommand : JasperFxAsyncCommand<LoadReferenceDataInput>
{
    public override async Task<bool> Execute(LoadReferenceDataInput input)
    {
        var file = ReferenceDataFile.Parse(await System.IO.File.ReadAllTextAsync(input.File));
        // The host is built, not started: no web server, no background work; Marten creates what it needs.
        using var host = input.BuildHost();
        var summary = await host.Services.GetRequiredService<ReferenceDataLoader>().LoadAsync(file, CancellationToken.None);
        Console.WriteLine($"Loaded {input.File}: {summary.Providers} providers, {summary.Workspaces} workspaces, {summary.ApiKeys} API keys, {summary.Apps} apps.");
        return true;
    }
}
