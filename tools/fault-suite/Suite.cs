using Npgsql;

namespace ProductionTests.FaultSuite;

/// <summary>
/// One run: a fresh database and vhost, the three services as child processes, the warm-up, the load
/// with the faults, the drain, the checks, the report; and, whatever happens, the clean-up.
/// </summary>
public sealed class Suite(SuiteOptions options)
{
    private const string DeployScript = "deploy/fault-suite.sh";
    private ServerScripts? _scripts;
    private LocalSystem? _system;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var root = Checkout.FindRoot(options.Root);
        var (dataDirectory, logDirectory) = Checkout.DataDirectories(root, "fault-suite");
        var log = new SuiteLog(logDirectory, "fault suite");

        var servers = ServerSettings.FromEnvironment(root, DeployScript);
        var system = _system = new LocalSystem(root, servers, log, DeployScript);
        var scripts = _scripts = new ServerScripts(servers, log);
        var ports = new ServicePorts(options.ApiPort, options.StubPort, options.SchedulerPort);

        // Before anything is created: can every chosen fault be injected on exactly our servers?
        if (options.Faults.FirstOrDefault(FaultNames.NeedsPostgresScripts) is { } postgresFault && scripts.PostgresRestartProblem() is { } postgresProblem)
            throw new SetupException($"{postgresFault}: {postgresProblem} (or leave the fault out with --faults).");
        if (options.Faults.FirstOrDefault(FaultNames.NeedsRabbitMqScripts) is { } rabbitFault && scripts.RabbitMqRestartProblem() is { } rabbitProblem)
            throw new SetupException($"{rabbitFault}: {rabbitProblem} (or leave the fault out with --faults).");
        await LocalSystem.EnsurePortsFreeAsync(ports);

        log.Info($"checkout {root}");
        log.Info($"PostgreSQL {servers.PostgresHost}:{servers.PostgresPort}, RabbitMQ {servers.Amqp.Host}:{servers.RabbitMqPort} (management {servers.Management}); logs in {logDirectory}");
        var startedAt = DateTimeOffset.UtcNow;
        var runId = startedAt.ToString("yyyyMMddHHmmss");
        await system.CreateSandboxAsync("fault_suite", startedAt, ports, ct);
        var sandbox = system.Sandbox!;

        using var control = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        // The suite is the only caller and means to send its rate with one key: no per-key rate limit.
        await system.StartServicesAsync(ports, new Dictionary<string, string> { ["RateLimit__Enabled"] = "false" }, control, ct);
        var (stub, scheduler, api) = (system.Stub, system.Scheduler, system.Api);

        await using var proxy = new HoldingProxy(api.BaseAddress.Port);
        using var load = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            BaseAddress = proxy.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var warmUpId = await DemoApi.WarmUpAsync(load, $"Fault suite {runId} warm-up", $"fault-suite-{runId}-warm-up", log, ct);
        log.Info($"warm-up request {warmUpId} scheduled: the pipeline works; load starts");

        // The load and the faults.
        var timeline = new Timeline(DateTimeOffset.UtcNow, options.Faults, options.Duration);
        log.LoadStartedAt = timeline.LoadStartedAt;
        log.Info($"{options.Rate:0.#} requests/s for {options.Duration.TotalSeconds:0} s; faults: {(options.Faults.Count > 0 ? string.Join(", ", options.Faults) : "none")}");
        var generator = new LoadGenerator(load, options, timeline, runId);
        var reader = new EventStoreReader(sandbox.PostgresConnectionString);
        var driver = new FaultDriver(options, timeline, scripts, servers, new FaultTargets(scheduler, api, stub, proxy), control, generator, reader, log);
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
        var bookings = await StubReader.BookingsAsync(control, stub.BaseAddress, ct);
        var queues = await SettledQueuesAsync(sandbox, log, ct);
        log.Info($"evidence: {events.Count} events in {streams.Count} streams, {keys.Count} idempotency records, {challenges.Count} stub challenges, " +
                 $"{bookings.Sum(b => b.Calls)} booking calls for {bookings.Count} keys");

        var evidence = new SuiteEvidence
        {
            Requests = requests, WarmUpRequestId = warmUpId, Events = events, StreamIds = streams, KeyRecords = keys,
            StubChallenges = challenges, Bookings = bookings, Queues = queues, Tombstones = tombstones, Drain = drain, Drained = drained,
        };
        var result = Analysis.Analyse(options, timeline, evidence);
        var resultPath = options.ResultPath is { } path ? Path.GetFullPath(path) : Path.Combine(dataDirectory, "result.json");
        await Report.WriteJsonAsync(result, resultPath);
        var charts = TimelineChart.Write(timeline, evidence, resultPath, result.Passed);

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
        Console.WriteLine($"Timeline chart: {string.Join(", ", charts)}");
        Console.WriteLine(result.Passed
            ? $"PASSED: {result.Overall.Accepted} accepted requests, none lost, none duplicated, no stall, every fault seen to take effect."
            : $"FAILED: {string.Join("; ", result.Verdict)}.");
        return result.Passed ? 0 : 1;
    }

    /// <summary>
    /// The vhost's queues after the drain, read until every one is empty or for 20 s: the management API's
    /// counts lag by its statistics interval (5 s). Null when they could not be read at all.
    /// </summary>
    private static async Task<IReadOnlyList<QueueDepth>?> SettledQueuesAsync(Sandbox sandbox, SuiteLog log, CancellationToken ct)
    {
        IReadOnlyList<QueueDepth>? last = null;
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        do
        {
            try { last = await sandbox.QueuesAsync(ct); }
            catch (HttpRequestException e) { log.Info($"could not read the queues: {e.Message}"); }
            if (last is not null && last.All(q => q.Messages == 0)) return last;
            await Task.Delay(2000, ct);
        } while (DateTimeOffset.UtcNow < until);
        return last;
    }

    /// <summary>Kills the services at once (also from a signal handler or at process exit).</summary>
    public void KillChildren() => _system?.KillChildren();

    public async Task CleanUpAsync()
    {
        KillChildren();
        if (_scripts is { RabbitMqStopped: true } rabbit)
            await Try("start RabbitMQ again", () => rabbit.StartRabbitMqAsync(CancellationToken.None));
        if (_scripts is { PostgresStopped: true } postgres)
            await Try("start PostgreSQL again", () => postgres.StartPostgresAsync(CancellationToken.None));
        if (_system is { Sandbox: { } sandbox } system)
            await Try($"drop database {sandbox.Database} and vhost {sandbox.VirtualHost}", () => system.DropSandboxAsync(options.Keep));

        static async Task Try(string what, Func<Task> action)
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
}
