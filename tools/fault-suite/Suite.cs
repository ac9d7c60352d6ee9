using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ProductionTests.FaultSuite;

/// <summary>
/// One run: a fresh database and vhost, the three services as child processes, the warm-up, the load
/// with the faults, the drain, the checks, the report; and, whatever happens, the clean-up.
/// </summary>
public sealed class Suite(SuiteOptions options)
{
    private readonly Lock _childrenLock = new();
    private readonly List<ChildService> _children = [];
    private SuiteLog? _log;
    private ServerScripts? _scripts;
    private Sandbox? _sandbox;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var root = FindRoot(options.Root);
        var dataDirectory = Path.Combine(root, ".data", "fault-suite");
        var logDirectory = Path.Combine(dataDirectory, "logs");
        Directory.CreateDirectory(logDirectory);
        foreach (var old in Directory.GetFiles(logDirectory, "*.log")) File.Delete(old);
        var log = _log = new SuiteLog(logDirectory);

        var servers = ServerSettings.FromEnvironment(root);
        var apiDll = Dll(root, "requests-api", "ProductionTests.RequestsApi");
        var schedulerDll = Dll(root, "scheduler", "ProductionTests.Scheduler");
        var stubDll = Dll(root, "tpas-stub", "ProductionTests.TpasStub");
        var scripts = _scripts = new ServerScripts(servers, log);

        // Before anything is created: can every chosen fault be injected on exactly our servers?
        if (options.Faults.Contains(FaultNames.PostgresRestart) && scripts.PostgresRestartProblem() is { } postgresProblem)
            throw new SetupException($"{FaultNames.PostgresRestart}: {postgresProblem} (or leave the fault out with --faults).");
        if (options.Faults.Contains(FaultNames.RabbitMqStop) && scripts.RabbitMqRestartProblem() is { } rabbitProblem)
            throw new SetupException($"{FaultNames.RabbitMqStop}: {rabbitProblem} (or leave the fault out with --faults).");
        foreach (var port in new[] { options.ApiPort, options.StubPort, options.SchedulerPort })
            if (await ServerScripts.PortOpenAsync("127.0.0.1", port))
                throw new SetupException($"Port {port} is taken; choose others with --api-port, --stub-port, --scheduler-port.");

        log.Info($"checkout {root}");
        log.Info($"PostgreSQL {servers.PostgresHost}:{servers.PostgresPort}, RabbitMQ {servers.Amqp.Host}:{servers.RabbitMqPort} (management {servers.Management}); logs in {logDirectory}");
        var startedAt = DateTimeOffset.UtcNow;
        var runId = startedAt.ToString("yyyyMMddHHmmss");
        var sandbox = Sandbox.For(servers, startedAt);
        await sandbox.CreateAsync(ct);
        _sandbox = sandbox;
        log.Info($"database {sandbox.Database}, RabbitMQ vhost {sandbox.VirtualHost}");

        var stubUrl = $"http://127.0.0.1:{options.StubPort}/";
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = sandbox.PostgresConnectionString,
            ["ConnectionStrings__RabbitMq"] = sandbox.AmqpConnectionString,
            ["Tpas__BaseUrl"] = stubUrl,
        };
        var apiDirectory = Path.Combine(root, "services", "requests-api");
        await RunApiCommandAsync(apiDll, apiDirectory, environment, ["db-apply"], ct);
        await RunApiCommandAsync(apiDll, apiDirectory, environment, ["load-reference-data", Path.Combine(root, "deploy", "demo-data.json")], ct);
        log.Info("schema applied, reference data loaded (deploy/demo-data.json)");

        using var control = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var stub = Child(new ChildService("tpas-stub", Path.Combine(root, "services", "tpas-stub"), stubDll, options.StubPort, "health/live", environment, log));
        var scheduler = Child(new ChildService("scheduler", Path.Combine(root, "services", "scheduler"), schedulerDll, options.SchedulerPort, "health/ready", environment, log));
        // The suite is the only caller and means to send its rate with one key: no per-key rate limit.
        var api = Child(new ChildService("requests-api", apiDirectory, apiDll, options.ApiPort, "health/ready",
            new Dictionary<string, string>(environment) { ["RateLimit__Enabled"] = "false" }, log));
        foreach (var service in new[] { stub, scheduler, api })
        {
            service.Start();
            await service.WaitReadyAsync(control, TimeSpan.FromSeconds(90), ct);
            log.Info($"{service.Name} ready on {service.BaseAddress} (pid {service.ProcessId})");
        }

        using var load = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            BaseAddress = api.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var warmUpId = await WarmUpAsync(load, runId, ct);
        log.Info($"warm-up request {warmUpId} scheduled: the pipeline works; load starts");

        // The load and the faults.
        var timeline = new Timeline(DateTimeOffset.UtcNow, options.Faults, options.Duration);
        log.LoadStartedAt = timeline.LoadStartedAt;
        log.Info($"{options.Rate:0.#} requests/s for {options.Duration.TotalSeconds:0} s; faults: {(options.Faults.Count > 0 ? string.Join(", ", options.Faults) : "none")}");
        var generator = new LoadGenerator(load, options, timeline, runId);
        var reader = new EventStoreReader(sandbox.PostgresConnectionString);
        var driver = new FaultDriver(options, timeline, scripts, servers, scheduler, api, stub, control, generator, reader, log);
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = ProgressAsync(generator, timeline, log, sandbox, progressStop.Token);
        var loadTask = generator.RunAsync(ct);
        await driver.RunAsync(ct);
        await loadTask;
        await progressStop.CancelAsync();
        await progress;
        ct.ThrowIfCancellationRequested();

        var requests = generator.Requests;
        var accepted = requests.Where(r => r.Accepted).Select(r => r.RequestId!).ToList();
        log.Info($"load over: {requests.Count} requests sent until {timeline.Seconds(generator.SendingEndedAt ?? DateTimeOffset.UtcNow):0.0} s; " +
                 $"{accepted.Count} accepted, {requests.Count(r => !r.Accepted)} not");

        // Drain: until every accepted request has its outcome, or no new outcome came for --drain seconds
        // (a slow machine still draining a backlog is not a loss; a request nothing moves any more is).
        var drainStarted = DateTimeOffset.UtcNow;
        var lastProgress = drainStarted;
        var best = -1;
        var drained = false;
        var lastReport = DateTimeOffset.MinValue;
        while (true)
        {
            var done = -1;
            try { done = await reader.CountWithOutcomeAsync(accepted, ct); }
            catch (NpgsqlException e) { log.Info($"drain: could not read the event store ({e.Message}); trying again"); }
            if (done == accepted.Count) { drained = true; break; }
            if (done > best) { best = done; lastProgress = DateTimeOffset.UtcNow; }
            if (DateTimeOffset.UtcNow - lastProgress > options.DrainDeadline) break;
            if (DateTimeOffset.UtcNow - lastReport > TimeSpan.FromSeconds(5))
            {
                log.Info($"drain: {best} of {accepted.Count} accepted requests have their outcome");
                lastReport = DateTimeOffset.UtcNow;
            }
            await Task.Delay(500, ct);
        }
        var drain = DateTimeOffset.UtcNow - drainStarted;
        log.Info(drained
            ? $"drained in {drain.TotalSeconds:0.0} s: every accepted request has its outcome"
            : $"drain stopped after {drain.TotalSeconds:0.0} s: {accepted.Count - best} accepted requests got no outcome and none came for {options.DrainDeadline.TotalSeconds:0} s");
        // Late redeliveries (after restarts) would show up now as second outcomes or challenges.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);

        var events = await reader.EventsAsync(ct);
        var streams = await reader.StreamIdsAsync(ct);
        var keys = await reader.IdempotencyRecordsAsync(ct);
        var tombstones = await reader.TombstonesAsync(ct);
        var challenges = await StubReader.ChallengesAsync(control, stub.BaseAddress, ct);
        IReadOnlyList<QueueDepth> queues;
        try { queues = await sandbox.NonEmptyQueuesAsync(ct); }
        catch (HttpRequestException e) { log.Info($"could not read the queues: {e.Message}"); queues = []; }
        log.Info($"evidence: {events.Count} events in {streams.Count} streams, {keys.Count} idempotency records, {challenges.Count} stub challenges");

        var result = Analysis.Analyse(options, timeline, requests, warmUpId, events, streams, keys, challenges, queues, tombstones, drain, drained);
        var resultPath = options.ResultPath is { } path ? Path.GetFullPath(path) : Path.Combine(dataDirectory, "result.json");
        await Report.WriteJsonAsync(result, resultPath);

        Console.WriteLine();
        Console.WriteLine($"Fault suite: {options.Rate:0.#} requests/s, load {result.LoadSeconds:0.0} s (--duration {options.Duration.TotalSeconds:0}), " +
                          $"outages {options.Outage.TotalSeconds:0} s, restart after {options.RestartDelay.TotalSeconds:0.#} s{(options.Short ? " (--short)" : "")}");
        Console.WriteLine();
        Console.Write(Report.Table(result));
        Console.WriteLine();
        Console.Write(Report.Summary(result));
        Console.WriteLine();
        Console.WriteLine("Definitions:");
        Console.Write(Report.DefinitionsText(result));
        Console.WriteLine();
        Console.WriteLine($"Figures as JSON: {resultPath}");
        Console.WriteLine(result.Passed
            ? $"PASSED: {result.Overall.Accepted} accepted requests, none lost, none duplicated, no stall."
            : $"FAILED: lost {result.Overall.Lost}, duplicated {result.Overall.Duplicated}, stalled faults {result.Slots.Count(s => s.Stalled)}, " +
              $"mismatched {result.Overall.Mismatched}, unexpected streams {result.UnexpectedStreams}.");
        return result.Passed ? 0 : 1;
    }

    /// <summary>Kills the services at once (also from a signal handler or at process exit).</summary>
    public void KillChildren()
    {
        ChildService[] children;
        lock (_childrenLock) children = [.. _children];
        // requests-api first, so nothing writes while the rest goes.
        foreach (var child in children.Reverse()) child.Dispose();
    }

    public async Task CleanUpAsync()
    {
        KillChildren();
        var log = _log;
        if (_scripts is { RabbitMqStopped: true } rabbit)
            await Try("start RabbitMQ again", () => rabbit.StartRabbitMqAsync(CancellationToken.None));
        if (_scripts is { PostgresStopped: true } postgres)
            await Try("start PostgreSQL again", () => postgres.StartPostgresAsync(CancellationToken.None));
        if (_sandbox is { } sandbox)
        {
            if (options.Keep)
                log?.Info($"kept: database {sandbox.Database} (ConnectionStrings__Postgres='{sandbox.PostgresConnectionString}'), vhost {sandbox.VirtualHost}");
            else
                await Try($"drop database {sandbox.Database} and vhost {sandbox.VirtualHost}", sandbox.DropAsync);
        }

        async Task Try(string what, Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"fault suite: could not {what}: {e.Message}");
            }
        }
    }

    private ChildService Child(ChildService child)
    {
        lock (_childrenLock) _children.Add(child);
        return child;
    }

    /// <summary>One request through the whole pipeline before the load: fails fast when the system does not work at all.</summary>
    private static async Task<string> WarmUpAsync(HttpClient load, string runId, CancellationToken ct)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, $"connect/v1/apps/{LoadGenerator.ClientId}/production-tests")
        {
            Content = JsonContent.Create(new { title = $"Fault suite {runId} warm-up" }),
        };
        create.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", LoadGenerator.ApiKey);
        create.Headers.Add("Idempotency-Key", $"fault-suite-{runId}-warm-up");
        using var created = await load.SendAsync(create, ct);
        var body = await created.Content.ReadAsStringAsync(ct);
        if ((int)created.StatusCode != 201) throw new SetupException($"The warm-up request was answered {(int)created.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var id = json.RootElement.GetProperty("id").GetString()!;

        using var wait = new HttpRequestMessage(HttpMethod.Get, created.Headers.Location);
        wait.Headers.Authorization = create.Headers.Authorization;
        wait.Headers.Add("Prefer", "wait=30");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(40));
        using var answer = await load.SendAsync(wait, timeout.Token);
        using var state = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(timeout.Token));
        var status = state.RootElement.GetProperty("status").GetString();
        if (status != "scheduled")
            throw new SetupException($"The warm-up request {id} is '{status}' after 30 s: the system does not schedule requests even without faults; see .data/fault-suite/logs.");
        return id;
    }

    private static async Task ProgressAsync(LoadGenerator generator, Timeline timeline, SuiteLog log, Sandbox sandbox, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                var requests = generator.Requests;
                // The services' PostgreSQL connections by state: 'active' piling up is a slow database or machine,
                // 'idle in transaction' piling up is work holding connections.
                string connections;
                try { connections = await EventStoreReader.ConnectionStatesAsync(sandbox.ServerConnectionString, sandbox.Database, ct); }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    var reason = (e.InnerException ?? e).Message;
                    connections = $"not sampled ({(reason.Length > 60 ? reason[..60] + "..." : reason)})";
                }
                log.Info($"[{timeline.Current.Name}] sent {requests.Count}, accepted {requests.Count(r => r.Accepted)}, " +
                         $"awaiting a 201 {requests.Count(r => !r.Done)}, given up {requests.Count(r => r.Done && !r.Accepted)}, retries {generator.Retries}; " +
                         $"db connections: {connections}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunApiCommandAsync(string dll, string directory, IReadOnlyDictionary<string, string> environment, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. arguments])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new SetupException($"Could not run dotnet {dll}.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var text = await output + await errors;
        await File.AppendAllTextAsync(Path.Combine(_log!.Directory, "setup.log"), $"$ dotnet {Path.GetFileName(dll)} {string.Join(' ', arguments)}{Environment.NewLine}{text}", CancellationToken.None);
        if (process.ExitCode != 0)
            throw new SetupException($"dotnet {Path.GetFileName(dll)} {string.Join(' ', arguments)} failed (exit {process.ExitCode}):{Environment.NewLine}{text.Trim()}");
    }

    private static string Dll(string root, string service, string assembly)
    {
        var path = Path.Combine(root, "services", service, "bin", "Release", "net10.0", assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new SetupException($"{path} is missing: build the services in Release first (deploy/fault-suite.sh does).");
    }

    private static string FindRoot(string? given)
    {
        if (given is not null)
            return File.Exists(Path.Combine(given, "Platform.sln")) ? Path.GetFullPath(given) : throw new SetupException($"--root {given}: no Platform.sln there.");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")) && File.Exists(Path.Combine(directory.FullName, "deploy", "local", "postgres.sh")))
                    return directory.FullName;
        throw new SetupException("Could not find the checkout (Platform.sln); run from inside it or pass --root.");
    }
}
