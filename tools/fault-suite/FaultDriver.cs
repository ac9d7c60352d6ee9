using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace ProductionTests.FaultSuite;

/// <summary>
/// Injects the faults one after another, each in its slot. Nominal slots split the load after the
/// baseline evenly between the faults; a fault starts at its slot's nominal start, or later: not before
/// the previous fault's backlog has cleared (the recovery gate, see <see cref="AwaitRecoveryAsync"/>),
/// and not within <see cref="SuiteOptions.Settle"/> of the previous fault's end. The load lasts at least until <see cref="SuiteOptions.Settle"/>
/// after the last fault's end, so every fault has requests sent after it.
/// </summary>
public sealed partial class FaultDriver(
    SuiteOptions options,
    Timeline timeline,
    ServerScripts scripts,
    ServerSettings servers,
    FaultTargets targets,
    HttpClient control,
    LoadGenerator generator,
    EventStoreReader reader,
    SuiteLog log)
{
    private readonly ChildService _scheduler = targets.Scheduler, _api = targets.Api, _stub = targets.Stub;
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var faults = timeline.Slots.Where(s => s.IsFault).ToList();
            if (faults.Count == 0) return;
            var slotLength = (options.Duration - options.Baseline) / faults.Count;
            DateTimeOffset? previousEnd = null;
            foreach (var slot in faults)
            {
                var nominal = timeline.LoadStartedAt + options.Baseline + slotLength * (slot.Index - 1);
                var at = previousEnd is { } earliest && earliest > nominal ? earliest : nominal;
                var wait = at - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);

                timeline.Enter(slot.Index);
                try
                {
                    await InjectAsync(slot, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    slot.WentWrong = true;
                    slot.Notes.Add($"the fault went wrong: {e.Message.Split('\n')[0].Trim()}");
                    log.Info($"{slot.Name}: went wrong: {e.Message}");
                }
                slot.FaultEnd ??= DateTimeOffset.UtcNow;
                log.Info($"{slot.Name}: over after {(slot.FaultEnd - slot.FaultStart)?.TotalSeconds:0.0} s{(slot.Injected ? "" : " (NOT seen to take effect)")}");
                await AwaitRecoveryAsync(slot, ct);
                // The next fault: once the backlog cleared (or stalled, or the cap), and not within Settle of this one's end.
                var settled = slot.FaultEnd.Value + options.Settle;
                previousEnd = settled > DateTimeOffset.UtcNow ? settled : DateTimeOffset.UtcNow;
            }
            if (previousEnd is { } last && last > timeline.LoadEnd)
            {
                timeline.LoadEnd = last;
                log.Info($"the load goes on until {timeline.Seconds(timeline.LoadEnd):0.0} s, {options.Settle.TotalSeconds:0} s after the last fault");
            }
        }
        finally
        {
            timeline.FaultsDone = true;
        }
    }

    /// <summary>
    /// The recovery gate: the next fault waits until every accepted request sent before this fault's
    /// end has its outcome, so that a later fault (a restart, say) cannot hide that this one left the
    /// pipeline stopped. No outcome at all for <see cref="SuiteOptions.StallAfter"/> while requests wait
    /// is a stall; outcomes that keep coming but not all within <see cref="SuiteOptions.RecoveryCap"/> are
    /// overload, noted, and the suite moves on.
    /// </summary>
    private async Task AwaitRecoveryAsync(Slot slot, CancellationToken ct)
    {
        var end = slot.FaultEnd!.Value;
        var started = DateTimeOffset.UtcNow;
        var lastOutcomes = -1L;
        var lastChange = started;
        var lastReport = started;
        while (true)
        {
            var waiting = generator.Requests.Where(r => r.Accepted && r.FirstSentAt < end).Select(r => r.RequestId!).ToList();
            int done;
            long outcomes;
            try
            {
                done = await reader.CountWithOutcomeAsync(waiting, ct);
                outcomes = await reader.OutcomeCountAsync(ct);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                await Task.Delay(1000, ct);
                continue;
            }
            var now = DateTimeOffset.UtcNow;
            if (done == waiting.Count)
            {
                slot.CaughtUpAt = now;
                log.Info($"{slot.Name}: caught up {(now - end).TotalSeconds:0.0} s after the fault's end (all {waiting.Count} accepted requests sent before it have their outcome)");
                return;
            }
            if (outcomes != lastOutcomes) { lastOutcomes = outcomes; lastChange = now; }
            if (now - lastChange > options.StallAfter)
            {
                slot.Stalled = true;
                slot.StalledPending = waiting.Count - done;
                var previous = timeline.Slots[slot.Index - 1];
                var carried = previous.Stalled ? $" (the pipeline had stalled already after {previous.Name})" : "";
                slot.Notes.Add($"STALLED: no outcome at all for {options.StallAfter.TotalSeconds:0} s after the fault, while {waiting.Count - done} accepted requests waited{carried}");
                log.Info($"{slot.Name}: STALLED: no outcome recorded for {options.StallAfter.TotalSeconds:0} s; {waiting.Count - done} accepted requests sent before the fault's end have none");
                return;
            }
            if (now - started > options.RecoveryCap)
            {
                slot.Notes.Add($"not caught up {options.RecoveryCap.TotalSeconds:0} s after the fault: {waiting.Count - done} requests still waited, outcomes still coming (overload)");
                log.Info($"{slot.Name}: not caught up after {options.RecoveryCap.TotalSeconds:0} s ({waiting.Count - done} waiting, outcomes still coming); next fault");
                return;
            }
            if (now - lastReport > TimeSpan.FromSeconds(10))
            {
                log.Info($"{slot.Name}: waiting for the backlog: {waiting.Count - done} of {waiting.Count} without an outcome");
                lastReport = now;
            }
            await Task.Delay(1000, ct);
        }
    }

    private Task InjectAsync(Slot slot, CancellationToken ct) => slot.Name switch
    {
        FaultNames.RabbitMqStop => RabbitMqStopAsync(slot, ct),
        FaultNames.SchedulerKill => KillAsync(slot, _scheduler, ct),
        FaultNames.ApiKill => KillAsync(slot, _api, ct),
        FaultNames.PostgresRestart => PostgresRestartAsync(slot, ct),
        FaultNames.Stub5xx => Stub5xxAsync(slot, ct),
        FaultNames.RabbitMqKill => RabbitMqKillAsync(slot, ct),
        FaultNames.PostgresKill => PostgresKillAsync(slot, ct),
        FaultNames.ApiKillAfterCommit => ApiKillAfterCommitAsync(slot, ct),
        FaultNames.StubLostAnswer => StubLostAnswerAsync(slot, ct),
        _ => throw new InvalidOperationException($"Unknown fault {slot.Name}."),
    };

    /// <summary>deploy/local/rabbitmq.sh stop, <see cref="SuiteOptions.Outage"/> without a broker, start.</summary>
    private async Task RabbitMqStopAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: stopping RabbitMQ (port {servers.RabbitMqPort})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            await ObserveStopAsync(slot, "RabbitMQ", servers.Amqp.Host, servers.RabbitMqPort, () => scripts.StopRabbitMqAsync(ct));
            log.Info($"{slot.Name}: RabbitMQ stopped after {(DateTimeOffset.UtcNow - slot.FaultStart)?.TotalSeconds:0.0} s; starting it again in {options.Outage.TotalSeconds:0} s");
            await Task.Delay(options.Outage, ct);
        }
        finally
        {
            if (!ct.IsCancellationRequested)
            {
                await scripts.StartRabbitMqAsync(ct);
                slot.FaultEnd = DateTimeOffset.UtcNow;
            }
        }
    }

    /// <summary>
    /// SIGKILL, <see cref="SuiteOptions.RestartDelay"/>, start again; over when the new process is back:
    /// the scheduler when it answers /health/ready (its bus is connected); requests-api when it answers
    /// /health/live (it applies its schema before it listens). requests-api's readiness also fails while
    /// the relay is behind, which after a backlog can last long after the process is back.
    /// </summary>
    private async Task KillAsync(Slot slot, ChildService service, CancellationToken ct)
    {
        log.Info($"{slot.Name}: SIGKILL {service.Name} (pid {service.ProcessId})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        var pid = service.ProcessId;
        await ObserveStopAsync(slot, service.Name, service.BaseAddress.Host, service.BaseAddress.Port, () => Task.FromResult(service.Kill()));
        if (pid is { } gone && !ProcessAlive(gone)) slot.Observed.Add($"{service.Name} pid {gone} gone");
        await Task.Delay(options.RestartDelay, ct);
        service.Start();
        var path = service == _api ? "health/live" : null;
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(180), ct, path);
        slot.FaultEnd = DateTimeOffset.UtcNow;
        log.Info($"{slot.Name}: {service.Name} restarted (pid {service.ProcessId}) and answering {path ?? "health/ready"}");
    }

    /// <summary>deploy/local/postgres.sh stop then start.</summary>
    private async Task PostgresRestartAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: restarting PostgreSQL (port {servers.PostgresPort})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            await ObserveStopAsync(slot, "PostgreSQL", servers.PostgresHost, servers.PostgresPort, () => scripts.StopPostgresAsync(ct));
        }
        finally
        {
            if (!ct.IsCancellationRequested)
            {
                await scripts.StartPostgresAsync(ct);
                slot.FaultEnd = DateTimeOffset.UtcNow;
            }
        }
    }

    /// <summary>The stub answers 503 to everything under /v1 for <see cref="SuiteOptions.Outage"/>, then every knob is reset.</summary>
    private async Task Stub5xxAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: tpas-stub down (503) for {options.Outage.TotalSeconds:0} s");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            await StubAdminAsync(() => new HttpRequestMessage(HttpMethod.Put, new Uri(_stub.BaseAddress, "admin/faults")) { Content = JsonContent.Create(new { down = true }) }, ct);
            using (var probe = await control.GetAsync(new Uri(_stub.BaseAddress, "v1/challenges?requestId=fault-suite-probe"), ct))
                if (probe.StatusCode == HttpStatusCode.ServiceUnavailable) slot.Observed.Add("tpas-stub answered 503");
            await Task.Delay(options.Outage, ct);
        }
        finally
        {
            await StubAdminAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(_stub.BaseAddress, "admin/faults/reset")), CancellationToken.None);
            slot.FaultEnd = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>
    /// Runs the stop and observes it: the port accepted connections before and refuses them after. A port that
    /// was closed already proves nothing (the wrong port, or a server that was down anyway).
    /// </summary>
    private async Task ObserveStopAsync(Slot slot, string what, string host, int port, Func<Task> stop)
    {
        var openBefore = await ServerScripts.PortOpenAsync(host, port);
        await stop();
        var openAfter = await ServerScripts.PortOpenAsync(host, port);
        if (openBefore && !openAfter)
            slot.Observed.Add($"{what}'s port {port} refused connections");
        else
            log.Info($"{slot.Name}: {what}'s port {port} was {(openBefore ? "open" : "closed")} before and {(openAfter ? "open" : "closed")} after: the fault was not seen to take effect");
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>An admin call to the stub, tried again (a loaded machine can be slow to answer) for up to a minute.</summary>
    private async Task StubAdminAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                using var message = request();
                using var response = await control.SendAsync(message, ct);
                response.EnsureSuccessStatusCode();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested && DateTimeOffset.UtcNow < deadline)
            {
                log.Info($"tpas-stub admin call failed ({e.Message}); trying again");
                await Task.Delay(500, ct);
            }
        }
    }
}
