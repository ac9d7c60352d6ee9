using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ProductionTests.FaultSuite;

/// <summary>What the faults act on: the three services and the proxy the load reaches requests-api through.</summary>
public sealed record FaultTargets(ChildService Scheduler, ChildService Api, ChildService Stub, HoldingProxy Proxy);

/// <summary>The crashes (SIGKILL, no shutdown) and the ambiguous booking.</summary>
public sealed partial class FaultDriver
{
    /// <summary>SIGKILL of RabbitMQ's Erlang VM, <see cref="SuiteOptions.RestartDelay"/>, rabbitmq.sh start.</summary>
    private async Task RabbitMqKillAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: SIGKILL RabbitMQ (port {servers.RabbitMqPort})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            var pid = 0;
            await ObserveStopAsync(slot, "RabbitMQ", servers.Amqp.Host, servers.RabbitMqPort, async () => pid = await scripts.KillRabbitMqAsync(ct));
            if (!ProcessAlive(pid)) slot.Observed.Add($"Erlang VM pid {pid} gone");
            await Task.Delay(options.RestartDelay, ct);
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

    /// <summary>SIGKILL of the postmaster and every backend, <see cref="SuiteOptions.RestartDelay"/>, postgres.sh start (crash recovery).</summary>
    private async Task PostgresKillAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: SIGKILL PostgreSQL (port {servers.PostgresPort})");
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            var pid = 0;
            await ObserveStopAsync(slot, "PostgreSQL", servers.PostgresHost, servers.PostgresPort, async () => pid = await scripts.KillPostgresAsync(ct));
            if (!ProcessAlive(pid)) slot.Observed.Add($"postmaster pid {pid} gone");
            await Task.Delay(options.RestartDelay, ct);
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

    /// <summary>
    /// SIGKILL of requests-api between a create's commit and its response: the proxy holds requests-api's
    /// answers, and once a create whose client still waits is seen committed, requests-api is killed and the
    /// held answers dropped. Those clients retry with their key and must get the 201 as a replay.
    /// </summary>
    private async Task ApiKillAfterCommitAsync(Slot slot, CancellationToken ct)
    {
        var proxy = targets.Proxy;
        log.Info($"{slot.Name}: holding requests-api's answers until a create is committed, then SIGKILL");
        slot.FaultStart = DateTimeOffset.UtcNow;
        proxy.Hold();
        var committed = 0;
        try
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
            while (committed == 0 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(250, ct);
                var waiting = generator.Requests.Where(r => !r.Done && !r.Accepted).Select(r => r.Title).ToList();
                try { committed = await reader.CommittedTitlesAsync(waiting, ct); }
                catch (NpgsqlException e) { log.Info($"{slot.Name}: could not read the event store ({e.Message})"); }
            }
            if (committed > 0) slot.Observed.Add($"{committed} creates committed while their 201 was held");
            var pid = _api.ProcessId;
            await ObserveStopAsync(slot, _api.Name, _api.BaseAddress.Host, _api.BaseAddress.Port, () => Task.FromResult(_api.Kill()));
            if (pid is { } gone && !ProcessAlive(gone)) slot.Observed.Add($"{_api.Name} pid {gone} gone");
        }
        finally
        {
            proxy.DropAll();
            proxy.Release();
        }
        if (committed == 0)
        {
            // A kill with no commit waiting for its answer is api-kill again, not this fault.
            slot.Observed.Clear();
            log.Info($"{slot.Name}: no create was seen committed while its answer was held");
        }
        await Task.Delay(options.RestartDelay, ct);
        _api.Start();
        await _api.WaitReadyAsync(control, TimeSpan.FromSeconds(180), ct, "health/live");
        slot.FaultEnd = DateTimeOffset.UtcNow;
        log.Info($"{slot.Name}: {_api.Name} restarted (pid {_api.ProcessId})");
    }

    /// <summary>For <see cref="SuiteOptions.Outage"/> every booking that creates a challenge answers 503 (lostAnswerRate 1), then the knobs are reset.</summary>
    private async Task StubLostAnswerAsync(Slot slot, CancellationToken ct)
    {
        log.Info($"{slot.Name}: tpas-stub books and then answers 503 for {options.Outage.TotalSeconds:0} s");
        var before = await LostAnswersAsync(ct);
        slot.FaultStart = DateTimeOffset.UtcNow;
        try
        {
            await StubAdminAsync(() => new HttpRequestMessage(HttpMethod.Put, new Uri(_stub.BaseAddress, "admin/faults")) { Content = JsonContent.Create(new { lostAnswerRate = 1.0 }) }, ct);
            await Task.Delay(options.Outage, ct);
        }
        finally
        {
            await StubAdminAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(_stub.BaseAddress, "admin/faults/reset")), CancellationToken.None);
            slot.FaultEnd = DateTimeOffset.UtcNow;
        }
        var lost = await LostAnswersAsync(ct) - before;
        if (lost > 0) slot.Observed.Add($"{lost} bookings created at the stub and answered 503");
    }

    private async Task<int> LostAnswersAsync(CancellationToken ct)
    {
        var bookings = await control.GetFromJsonAsync<JsonElement>(new Uri(_stub.BaseAddress, "admin/bookings"), ct);
        return bookings.EnumerateArray().Sum(b => b.GetProperty("lostAnswers").GetInt32());
    }
}
