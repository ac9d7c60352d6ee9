using System.Diagnostics;

namespace ProductionTests.FaultSuite.Cluster;

/// <summary>deploy/cluster.sh and its helpers, run from the checkout: the faults and the facts about the cluster.</summary>
public sealed class ClusterScripts(string root, SuiteLog log)
{
    public Task<string> ClusterAsync(string args, CancellationToken ct) => RunAsync("deploy/cluster.sh", args, ct);
    public Task<string> PostgresAsync(string args, CancellationToken ct) => RunAsync("deploy/local/cluster-postgres.sh", args, ct);
    public Task<string> RabbitMqAsync(string args, CancellationToken ct) => RunAsync("deploy/local/cluster-rabbitmq.sh", args, ct);
    public Task<string> NetworkAsync(string args, CancellationToken ct) => RunAsync("deploy/local/cluster-netns.sh", args, ct);

    /// <summary>"api-1" or "api-2": the instance whose connection holds the daemon's advisory lock, or "" if none.</summary>
    public async Task<string> RelayLeaderAsync(CancellationToken ct) => (await TryAsync(() => ClusterAsync("relay-leader", ct))).Trim();

    /// <summary>"node1"/"node2": the PostgreSQL primary the monitor names.</summary>
    public async Task<string> PostgresPrimaryAsync(CancellationToken ct) => (await TryAsync(() => PostgresAsync("primary", ct))).Split(' ')[0].Trim();

    /// <summary>"c1".."c3": the node leading a quorum queue.</summary>
    public async Task<string> QueueLeaderAsync(string queue, CancellationToken ct) => (await TryAsync(() => RabbitMqAsync($"leader {queue}", ct))).Trim();

    /// <summary>The pid a part of the cluster runs as (its session), or 0.</summary>
    public int Pid(string part)
    {
        var file = part switch
        {
            _ when part.StartsWith("rabbit-", StringComparison.Ordinal) => Path.Combine(root, ".data/cluster/rabbitmq", part["rabbit-".Length..] + ".pid"),
            _ when part.StartsWith("pg-", StringComparison.Ordinal) => Path.Combine(root, ".data/cluster/pg", part["pg-".Length..] + ".pid"),
            _ => Path.Combine(root, ".data/cluster/run", part + ".pid"),
        };
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : 0;
    }

    /// <summary>Runs: /proc has it and it is not a zombie (killed, not yet reaped).</summary>
    public static bool Alive(int pid)
    {
        try { return pid > 0 && File.ReadAllText($"/proc/{pid}/stat").Split(") ").ElementAtOrDefault(1)?.FirstOrDefault() is not ('Z' or 'X' or null); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static async Task<string> TryAsync(Func<Task<string>> run)
    {
        try { return await run(); }
        catch (SetupException) { return ""; }
    }

    private async Task<string> RunAsync(string script, string args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Path.Combine(root, script), args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        using var process = Process.Start(start) ?? throw new SetupException($"could not run {script}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var (stdout, stderr) = (await output, await error);
        await File.AppendAllTextAsync(Path.Combine(log.Directory, "scripts.log"), $"$ {script} {args} -> {process.ExitCode}\n{stdout}{stderr}", ct);
        if (process.ExitCode != 0) throw new SetupException($"{script} {args} failed ({process.ExitCode}): {stderr.Trim()}");
        return stdout;
    }
}
