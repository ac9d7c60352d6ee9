using System.Diagnostics;

namespace ProductionTests.Tools;

/// <summary>Where a tool's services listen (apart from deploy/run.sh's 5080, 5090, 5091).</summary>
public sealed record ServicePorts(int Api, int Stub, int Scheduler)
{
    public IEnumerable<int> All => [Api, Stub, Scheduler];
}

/// <summary>
/// The system a tool runs against: a <see cref="Tools.Sandbox"/> (database and vhost of its own) with the
/// schema and deploy/demo-data.json, and tpas-stub, the scheduler and requests-api as child processes
/// (Release builds) on the tool's ports. <see cref="KillChildren"/> and <see cref="DropSandboxAsync"/>
/// clean up whatever part of it was set up.
/// </summary>
public sealed class LocalSystem(string root, ServerSettings servers, SuiteLog log, string deployScript)
{
    private readonly Lock _childrenLock = new();
    private readonly List<ChildService> _children = [];
    private ChildService? _api, _scheduler, _stub;

    public string Root => root;
    public ServerSettings Servers => servers;
    public Sandbox? Sandbox { get; private set; }
    /// <summary>The settings every service and ops command gets: the sandbox's servers and the stub.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();
    public string ApiDirectory => Path.Combine(root, "services", "requests-api");
    public string ApiDll { get; } = Checkout.ServiceDll(root, "requests-api", "ProductionTests.RequestsApi", deployScript);
    private string SchedulerDll { get; } = Checkout.ServiceDll(root, "scheduler", "ProductionTests.Scheduler", deployScript);
    private string StubDll { get; } = Checkout.ServiceDll(root, "tpas-stub", "ProductionTests.TpasStub", deployScript);

    public ChildService Api => _api ?? throw new InvalidOperationException("The services are not started.");
    public ChildService Scheduler => _scheduler ?? throw new InvalidOperationException("The services are not started.");
    public ChildService Stub => _stub ?? throw new InvalidOperationException("The services are not started.");
    public IReadOnlyList<ChildService> Services { get { lock (_childrenLock) return [.. _children]; } }

    public static async Task EnsurePortsFreeAsync(ServicePorts ports)
    {
        foreach (var port in ports.All)
            if (await ServerScripts.PortOpenAsync("127.0.0.1", port))
                throw new SetupException($"Port {port} is taken; choose others with --api-port, --stub-port, --scheduler-port.");
    }

    public static async Task EnsurePortFreeAsync(int port, string option)
    {
        if (await ServerScripts.PortOpenAsync("127.0.0.1", port))
            throw new SetupException($"Port {port} is taken; choose another with {option}.");
    }

    /// <summary>A setting every service started afterwards gets too (e.g. where to export telemetry).</summary>
    public void AddSetting(string key, string value) => Environment = new Dictionary<string, string>(Environment) { [key] = value };

    /// <summary>Creates the sandbox <c>&lt;prefix&gt;_&lt;timestamp&gt;</c>, applies the schema and loads deploy/demo-data.json.</summary>
    public async Task CreateSandboxAsync(string prefix, DateTimeOffset startedAt, ServicePorts ports, CancellationToken ct)
    {
        var sandbox = Sandbox.For(servers, prefix, startedAt);
        await sandbox.CreateAsync(ct);
        Sandbox = sandbox;
        log.Info($"database {sandbox.Database}, RabbitMQ vhost {sandbox.VirtualHost}");
        Environment = new Dictionary<string, string>(Environment)
        {
            ["ConnectionStrings__Postgres"] = sandbox.PostgresConnectionString,
            ["ConnectionStrings__RabbitMq"] = sandbox.AmqpConnectionString,
            ["Tpas__BaseUrl"] = $"http://127.0.0.1:{ports.Stub}/",
        };
        await RunApiCommandAsync(["db-apply"], TimeSpan.FromMinutes(3), ct);
        await RunApiCommandAsync(["load-reference-data", Path.Combine(root, "deploy", "demo-data.json")], TimeSpan.FromMinutes(3), ct);
        log.Info("schema applied, reference data loaded (deploy/demo-data.json)");
    }

    /// <summary>Starts tpas-stub, the scheduler and requests-api (with <paramref name="apiSettings"/> on top), each once it is ready.</summary>
    public async Task StartServicesAsync(ServicePorts ports, IReadOnlyDictionary<string, string> apiSettings, HttpClient control, CancellationToken ct)
    {
        _stub = Child(new ChildService("tpas-stub", Path.Combine(root, "services", "tpas-stub"), StubDll, ports.Stub, "health/live", Environment, log));
        _scheduler = Child(new ChildService("scheduler", Path.Combine(root, "services", "scheduler"), SchedulerDll, ports.Scheduler, "health/ready", Environment, log));
        var api = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in apiSettings) api[key] = value;
        _api = Child(new ChildService("requests-api", ApiDirectory, ApiDll, ports.Api, "health/ready", api, log));
        foreach (var service in new[] { _stub, _scheduler, _api })
        {
            service.Start();
            await service.WaitReadyAsync(control, TimeSpan.FromSeconds(90), ct);
            log.Info($"{service.Name} ready on {service.BaseAddress} (pid {service.ProcessId})");
        }
    }

    /// <summary>
    /// <c>dotnet requests-api.dll &lt;verb&gt; ...</c> against the sandbox (an ops command); its output is appended
    /// to &lt;logs&gt;/commands.log and returned. A non-zero exit is a <see cref="SetupException"/>.
    /// </summary>
    public async Task<string> RunApiCommandAsync(string[] arguments, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet", [ApiDll, .. arguments])
        {
            WorkingDirectory = ApiDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        var commandLine = $"dotnet {Path.GetFileName(ApiDll)} {string.Join(' ', arguments)}";
        using var process = Process.Start(start) ?? throw new SetupException($"Could not run {commandLine}.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested) throw;
            throw new SetupException($"{commandLine} did not finish within {timeout.TotalMinutes:0.#} minutes.");
        }
        var text = await output + await errors;
        await File.AppendAllTextAsync(Path.Combine(log.Directory, "commands.log"), $"$ {commandLine}{System.Environment.NewLine}{text}", CancellationToken.None);
        if (process.ExitCode != 0)
            throw new SetupException($"{commandLine} failed (exit {process.ExitCode}):{System.Environment.NewLine}{text.Trim()}");
        return text;
    }

    /// <summary>Kills the services at once (also from a signal handler or at process exit).</summary>
    public void KillChildren()
    {
        ChildService[] children;
        lock (_childrenLock) children = [.. _children];
        // requests-api first, so nothing writes while the rest goes.
        foreach (var child in children.Reverse()) child.Dispose();
    }

    /// <summary>Drops the sandbox, or says where it was kept.</summary>
    public async Task DropSandboxAsync(bool keep)
    {
        if (Sandbox is not { } sandbox) return;
        if (keep)
        {
            log.Info($"kept: database {sandbox.Database} (ConnectionStrings__Postgres='{sandbox.PostgresConnectionString}'), vhost {sandbox.VirtualHost}");
            return;
        }
        await sandbox.DropAsync();
    }

    /// <summary>
    /// Starts a tool's own web app (<c>tools/&lt;directory&gt;</c>, built in Release) on the sandbox's settings, once
    /// <paramref name="readyPath"/> answers; it is killed with the services.
    /// </summary>
    public Task<ChildService> StartToolAppAsync(string directory, string assembly, int port, string readyPath, HttpClient control, CancellationToken ct)
    {
        var dll = Path.Combine(root, "tools", directory, "bin", "Release", "net10.0", assembly + ".dll");
        if (!File.Exists(dll)) throw new SetupException($"{dll} is missing: build it in Release first ({deployScript} does).");
        return StartChildAsync(new ChildService(directory, Path.Combine(root, "tools", directory), dll, port, readyPath, Environment, log), control, ct);
    }

    /// <summary>
    /// Starts one more service process (<c>services/&lt;directory&gt;</c>: another requests-api, the webhook receiver) as
    /// <paramref name="name"/>, on the sandbox's settings with <paramref name="settings"/> on top, once <paramref name="readyPath"/>
    /// answers; it is killed with the services.
    /// </summary>
    public Task<ChildService> StartServiceAsync(string name, string directory, string assembly, int port, string readyPath,
        IReadOnlyDictionary<string, string> settings, HttpClient control, CancellationToken ct)
    {
        var dll = Checkout.ServiceDll(root, directory, assembly, deployScript);
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in settings) environment[key] = value;
        return StartChildAsync(new ChildService(name, Path.Combine(root, "services", directory), dll, port, readyPath, environment, log), control, ct);
    }

    private async Task<ChildService> StartChildAsync(ChildService child, HttpClient control, CancellationToken ct)
    {
        Child(child).Start();
        await child.WaitReadyAsync(control, TimeSpan.FromSeconds(90), ct);
        log.Info($"{child.Name} ready on {child.BaseAddress} (pid {child.ProcessId})");
        return child;
    }

    private ChildService Child(ChildService child)
    {
        lock (_childrenLock) _children.Add(child);
        return child;
    }
}
