namespace ProductionTests.FaultSuite.Cluster;

/// <summary>
/// Injects one fault with the cluster's own scripts (SIGKILL of a session by its pid file, a DROP rule in the
/// API's network namespace) and records what showed it took effect; then brings back what was killed
/// (<c>cluster.sh revive</c>) and waits until the cluster is whole again.
/// </summary>
public sealed class ClusterInjector(ClusterScripts scripts, ClusterOptions options, SuiteLog log)
{
    private const string SchedulerQueue = "scheduler-challenge-requested";
    private const string OutcomeQueue = "requests-api-challenge-outcomes";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly HashSet<string> _killedRabbitNodes = [];

    /// <param name="waitUntilWhole">Wait until every part runs again (before the next fault); the last fault only revives what it killed.</param>
    public async Task InjectAsync(ClusterFault fault, bool waitUntilWhole, CancellationToken ct)
    {
        switch (fault.Name)
        {
            case ClusterFaults.ApiLeaderKill or ClusterFaults.ApiFollowerKill:
                await ApiKillAsync(fault, leader: fault.Name == ClusterFaults.ApiLeaderKill, ct);
                break;
            case ClusterFaults.SchedulerKill:
                await KillAsync(fault, $"scheduler-{1 + fault.Slot % 2}", ct);
                break;
            case ClusterFaults.RabbitLeaderKill:
                await RabbitKillAsync(fault, leader: true, ct);
                break;
            case ClusterFaults.RabbitOtherKill:
                await RabbitKillAsync(fault, leader: false, ct);
                break;
            case ClusterFaults.PostgresPrimaryKill:
                await PostgresKillAsync(fault, ct);
                break;
            case ClusterFaults.ApiNetworkCut:
                await CutAsync(fault, ct);
                return; // nothing to revive
        }
        await Task.Delay(options.RestartDelay, ct);
        await scripts.ClusterAsync("revive", ct);
        if (!waitUntilWhole) { log.Info($"{fault.Name}: {fault.Target} restarted"); return; }
        await scripts.ClusterAsync("wait-healthy", ct);
        log.Info($"{fault.Name}: {fault.Target} back, cluster whole again");
    }

    private async Task ApiKillAsync(ClusterFault fault, bool leader, CancellationToken ct)
    {
        var holder = await WaitForAsync(() => scripts.RelayLeaderAsync(ct), l => l is "api-1" or "api-2", TimeSpan.FromSeconds(15), ct);
        if (holder is null) { fault.Problems.Add("no API instance held the relay leadership before the fault"); return; }
        var target = leader ? holder : holder == "api-1" ? "api-2" : "api-1";
        await KillAsync(fault, target, ct);
        if (!leader) return;
        var next = await WaitForAsync(() => scripts.RelayLeaderAsync(ct), l => l is "api-1" or "api-2" && l != target, Patience, ct);
        if (next is null) fault.Problems.Add($"the relay leadership did not move off {target}");
        else fault.Observed.Add($"relay leadership moved {target} -> {next} ({(DateTimeOffset.UtcNow - fault.Start).TotalSeconds:0.0} s after the kill)");
    }

    private async Task RabbitKillAsync(ClusterFault fault, bool leader, CancellationToken ct)
    {
        var schedulerLeader = await scripts.QueueLeaderAsync(SchedulerQueue, ct);
        var outcomeLeader = await scripts.QueueLeaderAsync(OutcomeQueue, ct);
        if (schedulerLeader.Length == 0) { fault.Problems.Add($"no leader found for {SchedulerQueue}"); return; }
        // "Another" node: one that leads neither queue, preferably not the one killed before (a fresh victim).
        string[] nodes = ["c1", "c2", "c3"];
        var followers = nodes.Where(n => n != schedulerLeader && n != outcomeLeader).ToList();
        var node = leader ? schedulerLeader
            : followers.FirstOrDefault(n => !_killedRabbitNodes.Contains(n)) ?? followers.FirstOrDefault() ?? nodes.First(n => n != schedulerLeader);
        _killedRabbitNodes.Add(node);
        await KillAsync(fault, $"rabbit-{node}", ct);
        if (!leader) return;
        var moved = await WaitForAsync(() => scripts.QueueLeaderAsync(SchedulerQueue, ct), l => l.Length > 0 && l != node, Patience, ct);
        if (moved is null) fault.Problems.Add($"the leader of {SchedulerQueue} did not move off {node}");
        else fault.Observed.Add($"{SchedulerQueue} leader moved {node} -> {moved}");
    }

    private async Task PostgresKillAsync(ClusterFault fault, CancellationToken ct)
    {
        var primary = await scripts.PostgresPrimaryAsync(ct);
        if (primary.Length == 0) { fault.Problems.Add("no PostgreSQL primary before the fault"); return; }
        await KillAsync(fault, $"pg-{primary}", ct);
        var promoted = await WaitForAsync(() => scripts.PostgresPrimaryAsync(ct), p => p.Length > 0 && p != primary, Patience, ct);
        if (promoted is null) fault.Problems.Add($"no standby was promoted after {primary} died");
        else fault.Observed.Add($"{promoted} promoted ({(DateTimeOffset.UtcNow - fault.Start).TotalSeconds:0.0} s after the kill)");
    }

    /// <summary>api-2 (in its namespace) cut off both PostgreSQL nodes: its readiness must be seen failing, the other instance serving.</summary>
    private async Task CutAsync(ClusterFault fault, CancellationToken ct)
    {
        fault.Target = "api-2 -> PostgreSQL";
        var pg = int.TryParse(Environment.GetEnvironmentVariable("PT_CLUSTER_PG_PORT"), out var p) ? p : 60000;
        fault.Start = DateTimeOffset.UtcNow;
        log.Info($"{fault.Name}: cutting api-2 off PostgreSQL for {options.CutLength.TotalSeconds:0} s");
        var cut = scripts.NetworkAsync($"cut {options.CutLength.TotalSeconds:0} {pg + 1} {pg + 2}", ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var net = Environment.GetEnvironmentVariable("PT_CLUSTER_NET") ?? "10.231.0";
        var seenUnready = false;
        while (!cut.IsCompleted)
        {
            try { seenUnready |= !(await http.GetAsync($"http://{net}.2:18082/health/ready", ct)).IsSuccessStatusCode; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested) { seenUnready = true; }
            await Task.Delay(500, ct);
        }
        await cut;
        if (seenUnready) fault.Observed.Add("api-2 answered not ready while cut off");
        else fault.Problems.Add("api-2 stayed ready: the cut did not take effect");
        var back = await WaitForAsync(async () => (await http.GetAsync($"http://{net}.2:18082/health/ready", ct)).IsSuccessStatusCode ? "ready" : "",
            r => r == "ready", Patience, ct);
        if (back is null) fault.Problems.Add("api-2 did not become ready again after the cut");
    }

    private async Task KillAsync(ClusterFault fault, string part, CancellationToken ct)
    {
        fault.Target = part;
        var pid = scripts.Pid(part);
        fault.Start = DateTimeOffset.UtcNow;
        log.Info($"{fault.Name}: SIGKILL {part} (pid {pid})");
        await scripts.ClusterAsync($"kill {part}", ct);
        // A process with many threads takes a moment to be torn down after SIGKILL.
        for (var i = 0; i < 50 && ClusterScripts.Alive(pid); i++) await Task.Delay(100, ct);
        if (ClusterScripts.Alive(pid)) fault.Problems.Add($"{part} (pid {pid}) still alive after SIGKILL");
        else fault.Observed.Add($"{part} pid {pid} gone");
    }

    private static async Task<string?> WaitForAsync(Func<Task<string>> read, Func<string, bool> done, TimeSpan patience, CancellationToken ct)
    {
        var until = DateTimeOffset.UtcNow + patience;
        while (DateTimeOffset.UtcNow < until)
        {
            string value;
            try { value = await read(); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SetupException && !ct.IsCancellationRequested) { value = ""; }
            if (done(value)) return value;
            await Task.Delay(250, ct);
        }
        return null;
    }
}
