using System.Net;
using System.Net.Sockets;
using ProductionTests.Tools;

namespace ProductionTests.DashboardTests.Infrastructure;

/// <summary>
/// The dashboard and the whole system (tpas-stub, scheduler, requests-api as Release child processes, in a
/// database and vhost of their own) with every service exporting to it, as deploy/run.sh runs them. Spans are
/// exported every 200 ms instead of 5 s, so a trace is complete in the dashboard soon after its outcome.
/// </summary>
public sealed class TracedSystem : IAsyncLifetime
{
    private const string Script = "deploy/test.sh";
    private LocalSystem? _system;

    public string Root { get; } = Checkout.FindRoot(null);
    public string Artifacts { get; private set; } = "";
    public DashboardProcess Dashboard { get; private set; } = null!;
    public DashboardTraces Traces { get; private set; } = null!;
    public LocalSystem System => _system ?? throw new InvalidOperationException("Not started.");
    public HttpClient Api { get; private set; } = null!;
    public HttpClient Stub { get; private set; } = null!;
    public HttpClient Control { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        var (data, logs) = Checkout.DataDirectories(Root, "dashboard-tests");
        Artifacts = data;
        var log = new SuiteLog(logs, "dashboard-tests");
        Dashboard = await DashboardProcess.StartAsync(Root, Path.Combine(logs, "dashboard.log"));
        Traces = new DashboardTraces(Control, Dashboard.Url);

        var ports = new ServicePorts(FreePort(), FreePort(), FreePort());
        _system = new LocalSystem(Root, ServerSettings.FromEnvironment(Root, Script), log, Script);
        _system.AddSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Dashboard.OtlpEndpoint);
        _system.AddSetting("OTEL_BSP_SCHEDULE_DELAY", "200");
        // A retried call to tpas-backend waits at least a second: time for the test's GET to start waiting.
        _system.AddSetting("Scheduling__MinRetryIntervalMs", "1000");
        _system.AddSetting("RateLimit__Enabled", "false");
        await _system.CreateSandboxAsync("dashboard", DateTimeOffset.UtcNow, ports, CancellationToken.None);
        await _system.StartServicesAsync(ports, new Dictionary<string, string>(), Control, CancellationToken.None);
        Api = new HttpClient { BaseAddress = _system.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Authorization = DemoApi.Authorization;
        Stub = new HttpClient { BaseAddress = _system.Stub.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _system?.KillChildren();
        if (_system is not null) await _system.DropSandboxAsync(keep: false);
        if (Dashboard is not null) await Dashboard.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
