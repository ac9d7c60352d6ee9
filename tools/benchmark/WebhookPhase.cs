using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using static ProductionTests.Tools.EventStoreNames;

namespace ProductionTests.Benchmark;

/// <summary>One app of phase 7 and what became of its events.</summary>
/// <param name="Events">Request events of the app committed during the phase: each must become one delivery row.</param>
/// <param name="ReceivedEvents">Distinct event ids the receiver verified (the dead one receives nothing).</param>
/// <param name="Duplicates">Verified deliveries beyond the first per event id.</param>
/// <param name="AmbiguousAttempts">Attempts recorded as ambiguous (a timeout, a lost connection, or cut short by the kill): the duplicates allowed.</param>
/// <param name="Lost">Events with no delivery row, plus (healthy app only) events never received.</param>
public sealed record WebhookAppFigures(string Role, string ClientId, long Events, long DeliveryRows, long Delivered, long Pending, long Failed,
    long Attempts, long ReceivedEvents, long Duplicates, long AmbiguousAttempts, long Lost);

/// <summary>The dispatcher's resident memory, its CPU seconds so far (all its processes) and the slow and dead apps' backlogs, once a second.</summary>
public sealed record DispatcherSample(double Seconds, double? RssMb, double CpuSeconds, long SlowPending, long DeadPending);

public sealed record WebhookPhaseResult(
    double Rate, double Seconds, LoadFigures Creates, IReadOnlyList<WebhookAppFigures> Apps,
    LatencySummary HealthyOutcomesBeforeKill, LatencySummary HealthyOutcomesAfterRestart, LatencySummary HealthyAllBeforeKill, LatencySummary HealthyAll,
    double KilledAtSeconds, double RestartedAtSeconds, double HealthyDrainSeconds, IReadOnlyList<DispatcherSample> Dispatcher,
    bool Passed, IReadOnlyList<string> Verdict, string? DispatcherCpu);

/// <summary>
/// Phase 7 (issue 19): webhooks under load. Three apps, each with webhooks on: Acme Bank's go to a healthy receiver,
/// Acme Shop's to one that answers after --webhook-slow-ms, Globex Pay's to a port nothing listens on. Creates at
/// --webhook-rate requests/s spread over the three for --webhook-duration; the dispatcher runs in a requests-api
/// instance of its own (no relay, no load), SIGKILLed halfway and started again a second later. Then: every event
/// of every app has exactly one delivery row, the healthy receiver got every event of its app (duplicates only up
/// to the ambiguous attempts), how long after its commit each reached it, and the dispatcher's memory while the
/// dead app's backlog grew.
/// </summary>
public sealed class WebhookPhase(BenchmarkOptions options, LocalSystem system, ChildService receiver, ChildService dispatcher, HttpClient control,
    CpuAccounting cpu, SuiteLog log)
{
    public const string Name = "7 webhooks";
    private const string HealthyApp = DemoApi.ClientId, SlowApp = "AcS7hop2", DeadApp = "GLx7Qp2M";
    private const string GlobexKey = "sk_workspace_test_globexDemoKey000000001";
    private static readonly AuthenticationHeaderValue Globex = new("Bearer", GlobexKey);

    /// <summary>The settings both requests-api instances get for this phase: a sealing key of the run, http to loopback allowed.</summary>
    public static Dictionary<string, string> Settings(string sealingKey, bool dispatcher) => new()
    {
        ["RateLimit__Enabled"] = "false",
        ["Webhooks__SecretKey"] = sealingKey,
        ["Webhooks__AllowInsecureLoopback"] = "true",
        ["Webhooks__DispatcherEnabled"] = dispatcher ? "true" : "false",
        // The dispatcher instance: no daemon (the relay) and no outcome consumer, so killing it
        // kills only the dispatcher and its CPU is the dispatcher's.
        ["Relay__Enabled"] = dispatcher ? "false" : "true",
        ["Outcomes__ConsumerEnabled"] = dispatcher ? "false" : "true",
    };

    public async Task<WebhookPhaseResult> RunAsync(string runId, int deadPort, CancellationToken ct)
    {
        using var http = Requests.Client(system.Api.BaseAddress, 512);
        await ConfigureAsync(http, HealthyApp, DemoApi.Authorization, "healthy", 0, null, ct);
        await ConfigureAsync(http, SlowApp, DemoApi.Authorization, "slow", options.WebhookSlowMs, null, ct);
        await ConfigureAsync(http, DeadApp, Globex, "dead", 0, deadPort, ct);
        // The dispatcher reads the configurations at most once a second.
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);

        await using var database = NpgsqlDataSource.Create(system.Sandbox!.PostgresConnectionString);
        var since = await ScalarAsync(database, $"SELECT COALESCE(MAX(seq_id), 0) FROM {Schema}.mt_events", ct);
        var seconds = options.WebhookDuration.TotalSeconds;
        log.Info($"{Name}: {options.WebhookRate:0} creates/s open loop for {seconds:0} s over {HealthyApp} (healthy receiver), {SlowApp} " +
                 $"({options.WebhookSlowMs} ms receiver), {DeadApp} (nothing listening on {deadPort}); the dispatcher is SIGKILLed at {seconds / 2:0} s");

        var clock = Stopwatch.StartNew();
        var samples = new List<DispatcherSample>();
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampling = SampleAsync(database, clock, samples, stopSampling.Token);
        double killedAt = 0, restartedAt = 0;
        var killedAtTime = DateTimeOffset.MaxValue;
        var readyAgainTime = DateTimeOffset.MaxValue;
        var crash = Task.Run(async () =>
        {
            await Task.Delay(options.WebhookDuration / 2, ct);
            killedAt = clock.Elapsed.TotalSeconds;
            killedAtTime = DateTimeOffset.UtcNow;
            dispatcher.Kill($"killed (SIGKILL) by the benchmark's {Name} under load");
            log.Info($"{Name}: dispatcher SIGKILLed at {killedAt:0.0} s");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            restartedAt = clock.Elapsed.TotalSeconds;
            dispatcher.Start();
            await dispatcher.WaitReadyAsync(control, TimeSpan.FromSeconds(90), ct, "health/live");
            readyAgainTime = DateTimeOffset.UtcNow;
            log.Info($"{Name}: dispatcher started again at {restartedAt:0.0} s (pid {dispatcher.ProcessId})");
        }, ct);

        var n = 0L;
        var apps = new[] { (HealthyApp, DemoApi.Authorization), (SlowApp, DemoApi.Authorization), (DeadApp, Globex) };
        var (creates, window) = await cpu.DuringAsync(Name, TimeSpan.Zero, options.WebhookDuration, async () =>
        {
            var run = await OpenLoop.RunAsync(http, options.WebhookRate, () =>
            {
                var i = Interlocked.Increment(ref n);
                var (app, key) = apps[i % 3];
                return Create(runId, app, key, i);
            }, TimeSpan.Zero, options.WebhookDuration, null, ct);
            return OpenLoop.Figures(run);
        }, f => f.Succeeded, ct);
        await crash;
        log.Info($"{Name}: creates {creates.Succeeded} accepted at {creates.RequestsPerSecond:0.0}/s, p99 {creates.Latency.P99Ms:0.0} ms, errors {creates.Errors}");

        // Every request's outcome, then every healthy delivery (those cut short by the kill wait for their lease).
        var drained = await WaitAsync(database, since, options.DrainPatience, ct);
        var healthyDrain = clock.Elapsed.TotalSeconds;
        await stopSampling.CancelAsync();
        await sampling;

        var result = await JudgeAsync(database, since, creates, clock.Elapsed.TotalSeconds, killedAt, killedAtTime, restartedAt, readyAgainTime, drained ? healthyDrain : double.NaN, samples, window.Summary(), ct);
        foreach (var line in result.Verdict) log.Info($"{Name}: {line}");
        return result;
    }

    private async Task ConfigureAsync(HttpClient http, string app, AuthenticationHeaderValue key, string receiverName, int delayMs, int? deadPort, CancellationToken ct)
    {
        var url = deadPort is { } port ? $"http://127.0.0.1:{port}/hooks/{receiverName}" : new Uri(receiver.BaseAddress, $"hooks/{receiverName}").ToString();
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"connect/v1/apps/{app}/webhook-config") { Content = JsonContent.Create(new { url, enabled = true }) };
        patch.Headers.Authorization = key;
        using var answer = await http.SendAsync(patch, ct);
        var body = await answer.Content.ReadAsStringAsync(ct);
        if (!answer.IsSuccessStatusCode) throw new SetupException($"PATCH webhook-config of {app} was answered {(int)answer.StatusCode}: {body}");
        var secret = JsonDocument.Parse(body).RootElement.GetProperty("signingSecret").GetString();
        using var settings = await control.PutAsJsonAsync(new Uri(receiver.BaseAddress, $"admin/receivers/{receiverName}"),
            new { secrets = new[] { secret }, delayMs }, ct);
        settings.EnsureSuccessStatusCode();
        log.Info($"{Name}: {app} delivers to {url}" + (delayMs > 0 ? $" (answers after {delayMs} ms)" : ""));
    }

    private static HttpRequestMessage Create(string runId, string app, AuthenticationHeaderValue key, long n)
    {
        var body = $$"""{"title":"Benchmark {{runId}} webhooks #{{n}}","maxStamps":3,"targetPlatform":"ios"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, $"connect/v1/apps/{app}/production-tests") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = key;
        request.Headers.Add("Idempotency-Key", $"bench-{runId}-webhooks-{n}");
        return request;
    }

    private async Task SampleAsync(NpgsqlDataSource database, Stopwatch clock, List<DispatcherSample> samples, CancellationToken ct)
    {
        // CPU per process from its first sample on (the first process started before the phase), so the time of the
        // process killed halfway still counts; the restarted one's start-up counts from its first sample.
        var cpu = new Dictionary<int, (double First, double Last)>();
        try
        {
            while (true)
            {
                var pid = dispatcher.ProcessId;
                var rss = pid is { } p ? MemorySampler.Read(p)?.RssKb / 1024.0 : null;
                if (pid is { } q && CpuSecondsOf(q) is { } seconds) cpu[q] = (cpu.TryGetValue(q, out var seen) ? seen.First : seconds, seconds);
                var slow = await PendingAsync(database, SlowApp, ct);
                var dead = await PendingAsync(database, DeadApp, ct);
                lock (samples) samples.Add(new DispatcherSample(Math.Round(clock.Elapsed.TotalSeconds, 1), rss is { } r ? Math.Round(r, 1) : null, Math.Round(cpu.Values.Sum(c => c.Last - c.First), 2), slow, dead));
                await Task.Delay(1000, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>utime + stime of a process, from /proc/&lt;pid&gt;/stat (fields 14 and 15; the name before them may hold spaces).</summary>
    private static double? CpuSecondsOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / CpuAccounting.TicksPerSecond.Value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static Task<long> PendingAsync(NpgsqlDataSource database, string app, CancellationToken ct) =>
        ScalarAsync(database, $"SELECT count(*) FROM {Schema}.webhook_deliveries WHERE client_id = '{app}' AND status = 'pending'", ct);

    /// <summary>Until every request of the phase has an outcome, its events are all queued, and the healthy app has nothing pending.</summary>
    private async Task<bool> WaitAsync(NpgsqlDataSource database, long since, TimeSpan patience, CancellationToken ct)
    {
        var last = long.MaxValue;
        var lastProgress = Stopwatch.StartNew();
        var report = Stopwatch.StartNew();
        while (true)
        {
            var missing = await ScalarAsync(database, $"""
                SELECT (SELECT count(*) FROM {Schema}.mt_events r WHERE r.seq_id > {since} AND r.type = 'challenge_requested'
                          AND NOT EXISTS (SELECT 1 FROM {Schema}.mt_events o WHERE o.stream_id = r.stream_id AND o.version = 2))
                     + (SELECT count(*) FROM {Schema}.mt_events e WHERE e.seq_id > {since} AND {WebhookTypes}
                          AND NOT EXISTS (SELECT 1 FROM {Schema}.webhook_deliveries d WHERE d.client_id = e.data ->> 'ClientId' AND d.event_id = e.id))
                     + (SELECT count(*) FROM {Schema}.webhook_deliveries WHERE client_id = '{HealthyApp}' AND status <> 'delivered')
                """, ct);
            if (missing == 0) return true;
            if (missing < last) { last = missing; lastProgress.Restart(); }
            // Deliveries cut short by the kill are due again after their lease (timeout + 30 s): patience covers it.
            if (lastProgress.Elapsed > patience + TimeSpan.FromSeconds(45))
            {
                log.Info($"{Name}: gave up waiting, {missing} outcomes, delivery rows or healthy deliveries still missing");
                return false;
            }
            if (report.Elapsed > TimeSpan.FromSeconds(10)) { log.Info($"{Name}: waiting for {missing} outcomes, delivery rows or healthy deliveries"); report.Restart(); }
            await Task.Delay(250, ct);
        }
    }

    private static readonly TimeSpan SteadyMargin = TimeSpan.FromSeconds(5);
    private const string WebhookTypes = $"({RequestedTypes} OR {OutcomeTypes})";

    private async Task<WebhookPhaseResult> JudgeAsync(NpgsqlDataSource database, long since, LoadFigures creates, double seconds, double killedAt, DateTimeOffset killedAtTime, double restartedAt, DateTimeOffset readyAgainTime,
        double healthyDrain, List<DispatcherSample> samples, string? dispatcherCpu, CancellationToken ct)
    {
        var received = await ReceivedAsync("healthy", ct);
        var slowReceived = await ReceivedAsync("slow", ct);
        var apps = new List<WebhookAppFigures>();
        foreach (var (role, app, got) in new[] { ("healthy", HealthyApp, received), ("slow", SlowApp, slowReceived), ("dead", DeadApp, []) })
        {
            await using var command = database.CreateCommand($"""
                WITH events AS (
                  SELECT e.id FROM {Schema}.mt_events e
                  WHERE e.seq_id > $1 AND {WebhookTypes} AND e.data ->> 'ClientId' = $2)
                SELECT (SELECT count(*) FROM events),
                       (SELECT count(*) FROM {Schema}.webhook_deliveries d JOIN events ON d.event_id = events.id WHERE d.client_id = $2),
                       (SELECT count(*) FROM events WHERE NOT EXISTS (SELECT 1 FROM {Schema}.webhook_deliveries d WHERE d.event_id = events.id AND d.client_id = $2)),
                       count(*) FILTER (WHERE d.status = 'delivered'), count(*) FILTER (WHERE d.status = 'pending'), count(*) FILTER (WHERE d.status = 'failed'),
                       COALESCE(sum(d.attempts), 0), COALESCE(sum(d.ambiguous_attempts), 0)
                FROM {Schema}.webhook_deliveries d WHERE d.client_id = $2 AND d.sequence > $1
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = since });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = app });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var events = reader.GetInt64(0);
            var eventIds = role == "healthy" ? await EventIdsAsync(database, since, app, ct) : null;
            var gotIds = got.Select(r => r.EventId).ToHashSet();
            var distinct = gotIds.Count;
            var notReceived = eventIds is null ? 0 : eventIds.Count(id => !gotIds.Contains(id));
            apps.Add(new WebhookAppFigures(role, app, events, reader.GetInt64(1), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                reader.GetInt64(6), distinct, got.Count - distinct, reader.GetInt64(7), reader.GetInt64(2) + notReceived));
        }

        // Steady state: events committed at least 5 s before the kill, so none waited for the dispatcher's restart.
        var beforeKill = received.Where(r => r.CommittedAt < killedAtTime - SteadyMargin).ToList();
        // And again once the restarted dispatcher is up: events committed from 5 s after it answered.
        var afterRestart = received.Where(r => r.CommittedAt > readyAgainTime + SteadyMargin && r.Event != "production_test.requested").ToList();
        var result = new WebhookPhaseResult(options.WebhookRate, seconds, creates, apps,
            LatencySummary.Of(beforeKill.Where(r => r.Event != "production_test.requested").Select(r => r.LatencyMs)),
            LatencySummary.Of(afterRestart.Select(r => r.LatencyMs)),
            LatencySummary.Of(beforeKill.Select(r => r.LatencyMs)), LatencySummary.Of(received.Select(r => r.LatencyMs)),
            Math.Round(killedAt, 1), Math.Round(restartedAt, 1), Math.Round(healthyDrain, 1), samples, false, [], dispatcherCpu);
        var verdict = new List<string>();
        foreach (var app in apps)
        {
            verdict.Add($"{app.Role} {app.ClientId}: {app.Events} events, {app.DeliveryRows} delivery rows ({app.Delivered} delivered, {app.Pending} pending, " +
                        $"{app.Failed} given up; {app.Attempts} attempts, {app.AmbiguousAttempts} ambiguous); received {app.ReceivedEvents} distinct, " +
                        $"{app.Duplicates} duplicates; lost {app.Lost}");
        }
        var healthy = apps[0];
        var passed = apps.All(a => a.Lost == 0 && a.DeliveryRows == a.Events) && healthy.Duplicates <= healthy.AmbiguousAttempts && healthy.Events > 0
                     && apps[1].Duplicates <= apps[1].AmbiguousAttempts;
        verdict.Add($"healthy delivery after the event's commit, outcomes committed up to 5 s before the kill: p50 {result.HealthyOutcomesBeforeKill.P50Ms:0} ms, " +
                    $"p99 {result.HealthyOutcomesBeforeKill.P99Ms:0} ms (target p99 < 1000 ms); outcomes committed from 5 s after the restarted dispatcher answered " +
                    $"({afterRestart.Count}): p50 {result.HealthyOutcomesAfterRestart.P50Ms:0} ms, p99 {result.HealthyOutcomesAfterRestart.P99Ms:0} ms; " +
                    $"whole run p99 {result.HealthyAll.P99Ms:0} ms, max {result.HealthyAll.MaxMs:0} ms");
        verdict.Add($"where those waited: {await SplitAsync(database, since, killedAtTime - SteadyMargin, ct)}");
        var rss = samples.Where(s => s.RssMb is not null).ToList();
        if (rss.Count > 0)
        {
            verdict.Add($"dispatcher resident memory: {Describe(rss, seconds)}");
            var attempts = apps.Sum(a => a.Attempts);
            verdict.Add($"dispatcher CPU: {samples[^1].CpuSeconds:0.0} s for {attempts} attempts ({(attempts > 0 ? 1000 * samples[^1].CpuSeconds / attempts : 0):0.00} ms per attempt)");
        }
        verdict.Add(passed ? "PASSED: every event has one delivery row, the healthy receiver got every event, duplicates within the ambiguous attempts"
                           : "FAILED: see the lines above");
        return result with { Passed = passed, Verdict = verdict };
    }

    /// <summary>
    /// Where the healthy app's deliveries waited: from the delivery row (written in the event's own transaction, so there is
    /// no intake lag to report any more) to delivered, by the dispatcher.
    /// </summary>
    private static async Task<string> SplitAsync(NpgsqlDataSource database, long since, DateTimeOffset killedAt, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM d.delivered_at - d.created_at) * 1000)
            FROM {Schema}.webhook_deliveries d JOIN {Schema}.mt_events e ON e.id = d.event_id
            WHERE d.client_id = $1 AND d.sequence > $2 AND e.seq_id > $2 AND e.timestamp < $3 AND d.delivered_at IS NOT NULL
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HealthyApp });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = since });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = killedAt == DateTimeOffset.MaxValue ? DateTimeOffset.UtcNow : killedAt });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.IsDBNull(0)) return "no deliveries";
        var dispatch = reader.GetFieldValue<double[]>(0);
        return $"delivery row (written with the event) to delivered (the dispatcher) p50 {dispatch[0]:0} / p99 {dispatch[1]:0} ms";
    }

    private static string Describe(List<DispatcherSample> rss, double seconds)
    {
        string At(double fraction)
        {
            var sample = rss.MinBy(s => Math.Abs(s.Seconds - seconds * fraction))!;
            return $"{sample.RssMb:0} MB at {sample.Seconds:0} s (dead backlog {sample.DeadPending}, slow backlog {sample.SlowPending})";
        }
        return $"{At(0.1)}; {At(0.45)}; {At(0.9)}; peak {rss.Max(s => s.RssMb):0} MB";
    }

    private sealed record Delivery(string EventId, string? Event, DateTimeOffset CommittedAt, double LatencyMs);

    private async Task<List<Delivery>> ReceivedAsync(string name, CancellationToken ct)
    {
        using var answer = await control.GetAsync(new Uri(receiver.BaseAddress, $"admin/receivers/{name}/deliveries"), ct);
        answer.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStreamAsync(ct));
        var deliveries = new List<Delivery>();
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (!item.GetProperty("verified").GetBoolean() || item.GetProperty("eventId").GetString() is not { } eventId) continue;
            var committed = item.GetProperty("timestamp").GetDateTimeOffset();
            var at = item.GetProperty("receivedAt").GetDateTimeOffset();
            deliveries.Add(new Delivery(eventId, item.GetProperty("event").GetString(), committed, (at - committed).TotalMilliseconds));
        }
        return deliveries;
    }

    private static async Task<List<string>> EventIdsAsync(NpgsqlDataSource database, long since, string app, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"SELECT e.id::text FROM {Schema}.mt_events e WHERE e.seq_id > $1 AND {WebhookTypes} AND e.data ->> 'ClientId' = $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = since });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = app });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource database, string sql, CancellationToken ct)
    {
        await using var command = database.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }
}
