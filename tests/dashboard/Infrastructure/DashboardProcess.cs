using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProductionTests.DashboardTests.Infrastructure;

/// <summary>
/// The standalone Aspire Dashboard that deploy/local/dashboard.sh restores, started on free loopback ports,
/// unauthenticated (as run.sh runs it), for this test run only.
/// </summary>
public sealed class DashboardProcess : IAsyncDisposable
{
    private readonly Process _process;

    public Uri Url { get; }
    public string OtlpEndpoint { get; }

    private DashboardProcess(Process process, Uri url, string otlpEndpoint)
    {
        _process = process;
        Url = url;
        OtlpEndpoint = otlpEndpoint;
    }

    public static async Task<DashboardProcess> StartAsync(string root, string logPath)
    {
        var binary = await RunAsync(Path.Combine(root, "deploy", "local", "dashboard.sh"), "path");
        int ui = FreePort(), grpc = FreePort(), http = FreePort();
        var start = new ProcessStartInfo(binary.Trim())
        {
            WorkingDirectory = Path.GetDirectoryName(binary.Trim())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ui}",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{grpc}",
                ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{http}",
                ["DASHBOARD__FRONTEND__AUTHMODE"] = "Unsecured",
                ["DASHBOARD__OTLP__AUTHMODE"] = "Unsecured",
                ["DASHBOARD__API__AUTHMODE"] = "Unsecured",
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var dashboard = new DashboardProcess(process, new Uri($"http://127.0.0.1:{ui}/"), $"http://127.0.0.1:{grpc}");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 0; attempt < 240; attempt++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The dashboard exited (code {process.ExitCode}); see {logPath}.");
            try
            {
                if ((await client.GetAsync(new Uri(dashboard.Url, "api/telemetry/resources"))).IsSuccessStatusCode) return dashboard;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        await dashboard.DisposeAsync();
        throw new InvalidOperationException($"The dashboard did not answer within a minute; see {logPath}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string script, string argument)
    {
        var start = new ProcessStartInfo("bash", [script, argument]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} {argument} failed: {output}{errors}");
        return output.Trim().Split('\n')[^1];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
