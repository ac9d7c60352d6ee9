using System.Net;
using System.Net.Http.Json;

namespace ProductionTests.FaultSuite;

/// <summary>
/// Injects the faults one after another, each in its slot. Nominal slots split the load after the
/// baseline evenly between the faults; a fault starts at its slot's nominal start, or later when the
/// previous fault (say RabbitMQ's stop and start, which take a while) ended less than
/// <see cref="SuiteOptions.Settle"/> before. The load lasts at least until <see cref="SuiteOptions.Settle"/>
/// after the last fault's end, so every fault has requests sent after it.
/// </summary>
public sealed class FaultDriver(
    SuiteOptions options,
    Timeline timeline,
    ServerScripts scripts,
    ServerSettings servers,
    ChildService scheduler,
    ChildService api,
    ChildService stub,
    HttpClient control,
    SuiteLog log)
{
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
                var at = previousEnd is { } end && end + options.Settle > nominal ? end + options.Settle : nominal;
                var wait = at - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);

                timeline.Enter(slot.Index);
                try
                {
                    await InjectAsync(slot, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    slot.Notes.Add($"the fault went wrong: {e.Message.Split('\n')[0].Trim()}");
                    log.Info($"{slot.Name}: went wrong: {e.Message}");
                }
                slot.FaultEnd ??= DateTimeOffset.UtcNow;
                previousEnd = slot.FaultEnd;
                log.Info($"{slot.Name}: over after {(slot.FaultEnd - slot.FaultStart)?.TotalSeconds:0.0} s{(slot.Injected ? "" : " (NOT seen to take effect)")}");
            }
            if (previousEnd is { } last && last + options.Settle > timeline.LoadEnd)
            {
                timeline.LoadEnd = last + options.Settle;
                log.Info($"the load goes on until {timeline.Seconds(timeline.LoadEnd):0.0} s, {options.Settle.TotalSeconds:0} s after the last fault");
            }
        }
        finally
        {
            timeline.FaultsDone = true;
        }
    }

    private Task InjectAsync(Slot slot, CancellationToken ct) => slot.Name switch
    {
        FaultNames.RabbitMqStop => RabbitMqStopAsync(slot, ct),
        FaultNames.SchedulerKill => KillAsync(slot, scheduler, ct),
        FaultNames.ApiKill => KillAsync(slot, api, ct),
        FaultNames.PostgresRestart => PostgresRestartAsync(slot, ct),
        FaultNames.Stub5xx => Stub5xxAsync(slot, ct),
        _ => throw new InvalidOperationException($"Unknown fault {slot.Name}."),
    };

    /// <summary>deploy/local/rabbitmq.sh stop, <see cref="SuiteOptions.Outage"/> without a broker, start.</summary>
    private async Task RabbitMqStopAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: stopping RabbitMQ (port {servers.RabbitMqPort})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            await scripts.StopRabbitMqAsync(ct);
            slot.Injected = !await ServerScripts.PortOpenAsync(servers.Amqp.Host, servers.RabbitMqPort);
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

    /// <summary>SIGKILL, <see cref="SuiteOptions.RestartDelay"/>, start again; over when the new process is ready.</summary>
    private async Task KillAsync(Slot slot, ChildService service, CancellationToken ct)
    {
        log.Info($"{slot.Name}: SIGKILL {service.Name} (pid {service.ProcessId})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        slot.Injected = service.Kill();
        await Task.Delay(options.RestartDelay, ct);
        service.Start();
        await service.WaitReadyAsync(control, TimeSpan.FromSeconds(180), ct);
        slot.FaultEnd = DateTimeOffset.UtcNow;
        log.Info($"{slot.Name}: {service.Name} restarted (pid {service.ProcessId}) and ready");
    }

    /// <summary>deploy/local/postgres.sh stop then start.</summary>
    private async Task PostgresRestartAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: restarting PostgreSQL (port {servers.PostgresPort})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            await scripts.StopPostgresAsync(ct);
            slot.Injected = !await ServerScripts.PortOpenAsync(servers.PostgresHost, servers.PostgresPort);
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
            await StubAdminAsync(() => new HttpRequestMessage(HttpMethod.Put, new Uri(stub.BaseAddress, "admin/faults")) { Content = JsonContent.Create(new { down = true }) }, ct);
            using (var probe = await control.GetAsync(new Uri(stub.BaseAddress, "v1/challenges?requestId=fault-suite-probe"), ct))
                slot.Injected = probe.StatusCode == HttpStatusCode.ServiceUnavailable;
            await Task.Delay(options.Outage, ct);
        }
        finally
        {
            await StubAdminAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(stub.BaseAddress, "admin/faults/reset")), CancellationToken.None);
            slot.FaultEnd = DateTimeOffset.UtcNow;
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
