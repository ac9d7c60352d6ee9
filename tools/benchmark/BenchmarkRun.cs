using System.Diagnostics;

namespace ProductionTests.Benchmark;

/// <summary>
/// One run: a fresh database and vhost, the three services as child processes (requests-api with the
/// baseline endpoint on and no rate limit), the phases in order, the table; and, whatever happens, the clean-up.
/// </summary>
public sealed class BenchmarkRun(BenchmarkOptions options)
{
    private const string DeployScript = "deploy/benchmark.sh";
    private LocalSystem? _system;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var root = Checkout.FindRoot(options.Root);
        var (dataDirectory, logDirectory) = Checkout.DataDirectories(root, "benchmark");
        var log = new SuiteLog(logDirectory, "benchmark");
        var servers = ServerSettings.FromEnvironment(root, DeployScript);
        var system = _system = new LocalSystem(root, servers, log, DeployScript);
        var ports = new ServicePorts(options.ApiPort, options.StubPort, options.SchedulerPort);
        await LocalSystem.EnsurePortsFreeAsync(ports);
        await LocalSystem.EnsurePortFreeAsync(options.BaselinePort, "--baseline-port");
        if (options.WebhooksOnly)
        {
            await LocalSystem.EnsurePortFreeAsync(options.ReceiverPort, "--receiver-port");
            await LocalSystem.EnsurePortFreeAsync(options.DispatcherPort, "--dispatcher-port");
            await LocalSystem.EnsurePortFreeAsync(options.DeadReceiverPort, "--dead-receiver-port");
        }

        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var runId = startedAt.ToString("yyyyMMddHHmmss");
        log.Info($"benchmark ({(options.Quick ? "--quick" : "full form")}) on {Environment.ProcessorCount} cores; checkout {root}; logs in {logDirectory}");
        await system.CreateSandboxAsync("benchmark", startedAt, ports, ct);
        using var control = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        // The benchmark sends everything with one key: no per-key rate limit.
        var apiSettings = new Dictionary<string, string> { ["RateLimit__Enabled"] = "false" };
        // Phase 7: a sealing key for this run's webhook secrets; the API instance does not dispatch (an instance of its own does).
        var sealingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        if (options.WebhooksOnly) apiSettings = WebhookPhase.Settings(sealingKey, dispatcher: false);
        await system.StartServicesAsync(ports, apiSettings, control, ct);
        using var apiClient = new HttpClient { BaseAddress = system.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        await using var memory = new MemorySampler(() => system.Services);
        memory.Start();
        await using var pipeline = new Pipeline(system.Sandbox!.PostgresConnectionString, log);
        var requests = new Requests(runId);
        var phases = new Phases(options, system.Api.BaseAddress, requests, pipeline, new CpuAccounting(() => system.Services), log);
        // The machine is shared: how busy it was is part of the result.
        var notes = new List<string> { $"load average at the start: {LoadAverage()}" };

        // Also the bulk fill's template: a real request, scheduled.
        var template = await DemoApi.WarmUpAsync(apiClient, $"Benchmark {runId} warm-up", $"bench-{runId}-warm-up", log, ct);
        log.Info($"warm-up request {template} scheduled: the pipeline works");
        // Phase 6's template, in an app no other phase creates for, so that its list holds what phase 6 fills.
        var listTemplate = options.SkipList ? null
            : await DemoApi.WarmUpAsync(apiClient, $"Benchmark {runId} list", $"bench-{runId}-list", log, ct, ListPhase.ClientId);
        // Phase 6 with its floor, tools/benchmark-baseline, running only for the phase.
        async Task<ListPhaseResult> ListAsync(FillFigures fill)
        {
            var floorApp = await system.StartToolAppAsync("benchmark-baseline", "ProductionTests.BenchmarkBaseline", options.BaselinePort, "health/live", control, ct);
            var loads = await new ListPhase(options, system.Api.BaseAddress, floorApp.BaseAddress, new CpuAccounting(() => system.Services), log).RunAsync(ct);
            floorApp.Kill("stopped by the benchmark after phase 6");
            return new ListPhaseResult(ListPhase.ClientId, options.ListRequests, fill, loads);
        }

        if (options.WebhooksOnly)
        {
            var receiver = await system.StartServiceAsync("webhook-receiver", "webhook-receiver", "ProductionTests.WebhookReceiver", options.ReceiverPort,
                "health/live", new Dictionary<string, string>(), control, ct);
            var dispatcher = await system.StartServiceAsync("webhook-dispatcher", "requests-api", "ProductionTests.RequestsApi", options.DispatcherPort,
                "health/live", WebhookPhase.Settings(sealingKey, dispatcher: true), control, ct);
            var webhooks = await new WebhookPhase(options, system, receiver, dispatcher, control, new CpuAccounting(() => system.Services), log)
                .RunAsync(runId, options.DeadReceiverPort, ct);
            Console.WriteLine();
            Console.WriteLine($"Benchmark (phase 7 alone, {Environment.ProcessorCount} cores, {clock.Elapsed.TotalMinutes:0.0} min, {startedAt:yyyy-MM-dd HH:mm} UTC)");
            Console.WriteLine();
            Console.WriteLine($"creates: {webhooks.Creates.Succeeded} accepted at {webhooks.Creates.RequestsPerSecond:0.0}/s (target {webhooks.Rate:0}/s), " +
                              $"p50 {webhooks.Creates.Latency.P50Ms:0.0} / p99 {webhooks.Creates.Latency.P99Ms:0.0} ms, errors {webhooks.Creates.Errors}");
            Console.WriteLine($"dispatcher SIGKILLed at {webhooks.KilledAtSeconds:0.0} s, started again at {webhooks.RestartedAtSeconds:0.0} s; " +
                              $"healthy app fully delivered at {webhooks.HealthyDrainSeconds:0.0} s");
            if (webhooks.DispatcherCpu is { } dispatcherCpu) Console.WriteLine($"CPU during the load: {dispatcherCpu}");
            foreach (var line in webhooks.Verdict) Console.WriteLine(line);
            Console.WriteLine();
            Console.WriteLine($"load average: {LoadAverage()} (at the start: {notes[0]})");
            var webhookPath = options.ResultPath is { } w ? Path.GetFullPath(w) : Path.Combine(dataDirectory, "result-webhooks.json");
            await ResultTable.WriteJsonAsync(webhooks, webhookPath);
            Console.WriteLine($"Figures as JSON: {webhookPath}");
            return webhooks.Passed ? 0 : 1;
        }

        if (options.ListOnly)
        {
            memory.SampleNow();
            system.Api.Kill("stopped by the benchmark for the bulk fill");
            var listFill = await new BulkFill(system.Sandbox.PostgresConnectionString, log).AddCopiesAsync(listTemplate!, options.ListRequests - 1, ct);
            await new BulkFill(system.Sandbox.PostgresConnectionString, log).SkipRelayPastAsync(ct);
            system.Api.Start();
            await system.Api.WaitReadyAsync(control, TimeSpan.FromMinutes(5), ct);
            var onlyList = await ListAsync(listFill);
            var listRows = ResultTable.ListRows(options, onlyList);
            Console.WriteLine();
            Console.WriteLine($"Benchmark (phase 6 alone, {Environment.ProcessorCount} cores, {clock.Elapsed.TotalMinutes:0.0} min, {startedAt:yyyy-MM-dd HH:mm} UTC)");
            Console.WriteLine();
            Console.Write(ResultTable.Text(listRows));
            Console.WriteLine();
            Console.WriteLine($"load average: {LoadAverage()} (at the start: {notes[0]})");
            var onlyPath = options.ResultPath is { } only ? Path.GetFullPath(only) : Path.Combine(dataDirectory, "result-list.json");
            await ResultTable.WriteJsonAsync(onlyList, onlyPath);
            Console.WriteLine($"Figures as JSON: {onlyPath}");
            return 0;
        }

        // Phase 1 against an app of its own (tools/benchmark-baseline), stopped before the next phase.
        var baselineApp = await system.StartToolAppAsync("benchmark-baseline", "ProductionTests.BenchmarkBaseline", options.BaselinePort, "health/live", control, ct);
        var baseline = await phases.BaselineAsync(baselineApp.BaseAddress, ct);
        baselineApp.Kill("stopped by the benchmark after phase 1");
        var post = await phases.PostAsync("2 POST", ct);
        var latency = await phases.LatencyAsync(ct);
        var sustained = options.SkipSustained ? null : await phases.SustainedAsync(ct);
        // 2b: phase 2 with requests-api started without its relay (the async daemon), so nothing is published and the
        // scheduler, the stub and the outcome consumer idle: the create path alone. Then it starts with its relay again,
        // and what 2b created is published and drained. Last of the load phases, so that 3 and 4 run on the process
        // phases 1 and 2 warmed, undisturbed by restarts and 2b's backlog.
        LoadFigures? createAlone = null;
        if (!options.SkipCreateAlone)
        {
            await RestartApiAsync(new Dictionary<string, string> { ["Relay__Enabled"] = "false" }, "without its relay (2b)");
            createAlone = await phases.PostAsync(Phases.CreateAlone, ct, () => RestartApiAsync(null, "with its relay again"));
        }

        RebuildPhase? rebuild = null;
        GrowthPhase? growth = null;
        FillFigures? listFilled = null;
        if (!(options.SkipRebuild && options.SkipGrowth && options.SkipList))
        {
            // The relay must not publish what is filled: requests-api is stopped during the fill and the
            // relay's progress moved past it before it starts again. The rebuild runs meanwhile, alone.
            memory.SampleNow();
            system.Api.Kill("stopped by the benchmark for the bulk fill");
            var fill = new BulkFill(system.Sandbox.PostgresConnectionString, log);
            if (!options.SkipRebuild)
            {
                var filled = await fill.FillToAsync(template, options.RebuildEvents, ct);
                await fill.SkipRelayPastAsync(ct);
                var events = await pipeline.EventCountAsync(ct);
                var streams = await pipeline.RequestStreamCountAsync(ct);
                log.Info($"5 rebuild: rebuild-views over {events} events (fill: {filled.EventsAdded} events in {filled.Seconds:0.0} s)");
                var (seconds, summary) = await Phases.RebuildViewsAsync(system, ct);
                log.Info($"5 rebuild: {seconds:0.0} s, {events / Math.Max(seconds, 0.001):0} events/s; the command says: {summary ?? "(no summary)"}");
                MartenRebuild? marten = null;
                if (!options.SkipMartenRebuild)
                {
                    var martenSeconds = await Phases.MartenRebuildAsync(system, ct);
                    marten = new MartenRebuild(martenSeconds, events, await pipeline.ViewCountAsync(ct));
                    log.Info($"5 rebuild: Marten's projections rebuild {martenSeconds:0.0} s, {marten.EventsPerSecond:0} events/s, {marten.ViewsAfter} views after it");
                }
                rebuild = new RebuildPhase(filled, events, streams, seconds, summary, marten);
            }
            FillFigures? growthFill = null;
            if (!options.SkipGrowth)
            {
                growthFill = await fill.FillToAsync(template, options.GrowthEvents, ct);
                await fill.SkipRelayPastAsync(ct);
                log.Info($"growth: filled {growthFill.EventsAdded} events in {growthFill.Seconds:0.0} s ({growthFill.EventsPerSecond:0} events/s)");
            }
            if (!options.SkipList)
            {
                // After the rebuild and the growth fill, so that neither counts phase 6's requests.
                listFilled = await fill.AddCopiesAsync(listTemplate!, options.ListRequests - 1, ct);
                await fill.SkipRelayPastAsync(ct);
                log.Info($"{ListPhase.Name}: filled {listFilled.StreamsAdded} requests of {ListPhase.ClientId} in {listFilled.Seconds:0.0} s");
            }
            system.Api.Start();
            await system.Api.WaitReadyAsync(control, TimeSpan.FromMinutes(5), ct);
            await DemoApi.WarmUpAsync(apiClient, $"Benchmark {runId} after the fill", $"bench-{runId}-after-fill", log, ct);
            log.Info("requests-api started again on the filled store; a request went through");
            if (growthFill is not null)
            {
                var events = await pipeline.EventCountAsync(ct);
                growth = new GrowthPhase(growthFill, events, await phases.PostAsync("growth POST", ct));
            }
        }

        memory.SampleNow();
        // The memory targets are the pipeline's: taken before phase 6, whose whole-list answers are built in memory.
        var peaks = memory.Peaks();
        ListPhaseResult? list = listFilled is null ? null : await ListAsync(listFilled);
        notes.Add($"load average at the end: {LoadAverage()}");
        var rows = ResultTable.Rows(options, baseline, post, createAlone, latency, sustained, rebuild, growth, peaks);
        if (list is not null) rows = [.. rows, .. ResultTable.ListRows(options, list)];
        var result = new BenchmarkResult(startedAt, clock.Elapsed.TotalSeconds, options.Quick ? "quick" : "full", Environment.ProcessorCount, options,
            rows,
            CpuAccounting.Windows(baseline, post, createAlone, latency, sustained, growth), baseline, post, createAlone, latency, sustained, rebuild, growth,
            peaks, notes) { List = list };
        var resultPath = options.ResultPath is { } path ? Path.GetFullPath(path) : Path.Combine(dataDirectory, "result.json");
        await ResultTable.WriteJsonAsync(result, resultPath);
        var charts = Charts.Write(result, resultPath);

        Console.WriteLine();
        Console.WriteLine($"Benchmark ({result.Form} form, {result.ProcessorCount} cores, {result.TotalSeconds / 60:0.0} min, {startedAt:yyyy-MM-dd HH:mm} UTC)");
        Console.WriteLine();
        Console.Write(ResultTable.Text(result.Table));
        Console.WriteLine();
        Console.Write(CpuAccounting.Text(result.Cpu));
        Console.WriteLine();
        foreach (var note in notes) Console.WriteLine(note);
        Console.WriteLine();
        Console.Write(ResultTable.Definitions(options));
        Console.WriteLine();
        Console.WriteLine($"Figures as JSON: {resultPath}");
        Console.WriteLine($"Charts: {string.Join(", ", charts)}");
        return 0;

        // requests-api stopped and started again, with settings on top for this start only. Waits for health/live, not
        // ready: after 2b the relay's lag check fails until the backlog (older than Relay:MaxLagSeconds) is published.
        async Task RestartApiAsync(IReadOnlyDictionary<string, string>? settings, string how)
        {
            memory.SampleNow();
            system.Api.Kill($"stopped by the benchmark, to start {how}");
            system.Api.Start(settings);
            await system.Api.WaitReadyAsync(control, TimeSpan.FromMinutes(5), ct, "health/live");
            log.Info($"requests-api started {how} (pid {system.Api.ProcessId})");
        }
    }

    /// <summary>/proc/loadavg's 1, 5 and 15 minute averages.</summary>
    private static string LoadAverage()
    {
        try { return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1 / 5 / 15 min)"; }
        catch (IOException) { return "unknown"; }
    }

    public void KillChildren() => _system?.KillChildren();

    public async Task CleanUpAsync()
    {
        KillChildren();
        if (_system is { Sandbox: { } sandbox } system)
        {
            try
            {
                await system.DropSandboxAsync(options.Keep);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"benchmark: could not drop database {sandbox.Database} and vhost {sandbox.VirtualHost}: {e.Message}");
            }
        }
    }
}
