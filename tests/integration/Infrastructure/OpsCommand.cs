using System.Diagnostics;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>Runs requests-api's own entry point as an operator would, against a test platform's servers.</summary>
public static class OpsCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string postgres, string rabbitMq, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ProductionTests.RequestsApi.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Postgres"] = postgres;
        start.Environment["ConnectionStrings__RabbitMq"] = rabbitMq;
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    public static Task<(int ExitCode, string Output)> RunAsync(TestPlatform platform, params string[] args) =>
        RunAsync(platform.ConnectionString, platform.Broker.ConnectionString, args);
}
