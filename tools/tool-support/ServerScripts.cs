using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ProductionTests.Tools;

/// <summary>
/// deploy/local/postgres.sh and rabbitmq.sh, run so that they act on the servers of <see cref="ServerSettings"/>:
/// with the PT_* ports, and without the ConnectionStrings__* variables (with those set, 'start' only
/// writes .data/env and starts nothing). Both scripts rewrite .data/env on 'start'; it is put back as it was.
/// </summary>
public sealed class ServerScripts(ServerSettings servers, SuiteLog log)
{
    private readonly string _logPath = Path.Combine(log.Directory, "servers.log");
    private readonly Lock _logLock = new();

    public bool PostgresStopped { get; private set; }
    public bool RabbitMqStopped { get; private set; }

    public async Task StopPostgresAsync(CancellationToken ct)
    {
        PostgresStopped = true;
        await RunAsync("postgres.sh", "stop", ct);
    }

    public async Task StartPostgresAsync(CancellationToken ct)
    {
        await RunAsync("postgres.sh", "start", ct);
        PostgresStopped = false;
    }

    public async Task StopRabbitMqAsync(CancellationToken ct)
    {
        RabbitMqStopped = true;
        await RunAsync("rabbitmq.sh", "stop", ct);
    }

    public async Task StartRabbitMqAsync(CancellationToken ct)
    {
        await RunAsync("rabbitmq.sh", "start", ct);
        RabbitMqStopped = false;
    }

    /// <summary>
    /// SIGKILL of the PostgreSQL postmaster of this checkout and every process under it, as a crash: no
    /// shutdown checkpoint, so the next start runs crash recovery. Only the server whose postmaster.pid names
    /// our port and whose command line names our data directory; returns the postmaster's pid once it is gone.
    /// </summary>
    public async Task<int> KillPostgresAsync(CancellationToken ct)
    {
        if (PostgresRestartProblem() is { } problem) throw new SetupException(problem);
        var data = Path.Combine(servers.Root, ".data", "postgres");
        var pid = int.Parse(File.ReadAllLines(Path.Combine(data, "postmaster.pid"))[0].Trim());
        if (!ProcFile(pid, "cmdline").Replace('\0', ' ').Contains(data, StringComparison.Ordinal))
            throw new SetupException($"pid {pid} from {data}/postmaster.pid is not that server's postmaster.");
        PostgresStopped = true;
        await KillAsync(pid, "PostgreSQL postmaster and its children", entireTree: true, ct);
        return pid;
    }

    /// <summary>
    /// SIGKILL of this checkout's RabbitMQ Erlang VM (beam.smp, from rabbitmq.sh's pid file, started with our
    /// RABBITMQ_NODENAME), as a crash. epmd, which other nodes on this machine share, is left alone.
    /// </summary>
    public async Task<int> KillRabbitMqAsync(CancellationToken ct)
    {
        if (RabbitMqRestartProblem() is { } problem) throw new SetupException(problem);
        var node = RabbitMqNode;
        var pidFile = RabbitMqPidFiles().First(File.Exists);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        if (!ProcFile(pid, "comm").StartsWith("beam", StringComparison.Ordinal) || !ProcFile(pid, "environ").Split('\0').Contains($"RABBITMQ_NODENAME={node}"))
            throw new SetupException($"pid {pid} from {pidFile} is not the Erlang VM of node {node}.");
        RabbitMqStopped = true;
        await KillAsync(pid, $"RabbitMQ node {node}", entireTree: false, ct);
        return pid;
    }

    private async Task KillAsync(int pid, string what, bool entireTree, CancellationToken ct)
    {
        Append($"{DateTimeOffset.UtcNow:O} SIGKILL {what} (pid {pid}{(entireTree ? " and its descendants" : "")})");
        using var process = Process.GetProcessById(pid);
        process.Kill(entireTree);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(patience.Token);
    }

    private static string ProcFile(int pid, string name)
    {
        try { return File.ReadAllText($"/proc/{pid}/{name}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    private string RabbitMqNode => servers.RabbitMqPort == 5672 ? "pt@localhost" : $"pt-{servers.RabbitMqPort}@localhost";

    private string[] RabbitMqPidFiles()
    {
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(servers.Root + "\n")))[..8];
        return [Path.Combine(servers.Root, ".data", "rabbitmq", $"{RabbitMqNode}.pid"), $"/tmp/production-tests-rabbitmq-{hash}/{RabbitMqNode}.pid"];
    }

    /// <summary>
    /// Why postgres.sh could not restart the server on our port, or null when it can. Its 'stop' takes
    /// no port: it stops whatever server runs from &lt;checkout&gt;/.data/postgres (and knows nothing of the
    /// /tmp data directory 'start' falls back to when the postgres user cannot reach the checkout). So
    /// the server of that data directory must be the one on our port, or another one (say the default
    /// instance of a checkout shared with a test run) would be stopped instead.
    /// </summary>
    public string? PostgresRestartProblem()
    {
        if (!servers.IsLoopback(servers.PostgresHost)) return $"PostgreSQL at {servers.PostgresHost} is not local; the scripts cannot restart it.";
        if (DockerAnswers()) return null;   // the scripts then restart the compose service
        var pidFile = Path.Combine(servers.Root, ".data", "postgres", "postmaster.pid");
        string[] lines;
        try { lines = File.ReadAllLines(pidFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"deploy/local/postgres.sh stop acts on {Path.GetDirectoryName(pidFile)}, where no server runs ({e.GetType().Name}); " +
                   $"the server on port {servers.PostgresPort} was not started from this checkout.";
        }
        // postmaster.pid: pid, data directory, start time, port, ...
        if (lines.Length < 4 || lines[3].Trim() != servers.PostgresPort.ToString())
            return $"deploy/local/postgres.sh stop would stop the server of {Path.GetDirectoryName(pidFile)}, which listens on port " +
                   $"{(lines.Length >= 4 ? lines[3].Trim() : "?")}, not {servers.PostgresPort}. Run the tool from the checkout that started the server on {servers.PostgresPort}.";
        return null;
    }

    /// <summary>Why rabbitmq.sh could not stop and start the broker on our port, or null when it can.</summary>
    public string? RabbitMqRestartProblem()
    {
        if (!servers.IsLoopback(servers.Amqp.Host)) return $"RabbitMQ at {servers.Amqp.Host} is not local; the scripts cannot restart it.";
        if (DockerAnswers()) return null;
        // rabbitmq.sh names the node after the port and keeps its pid file in its data directory.
        var candidates = RabbitMqPidFiles();
        return candidates.Any(File.Exists)
            ? null
            : $"deploy/local/rabbitmq.sh did not start the broker on port {servers.RabbitMqPort} from this checkout (no {candidates[0]}); it could not stop it.";
    }

    private static bool DockerAnswers()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", ["info"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (docker is null) return false;
            if (!docker.WaitForExit(10_000)) { docker.Kill(); return false; }
            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static async Task<bool> PortOpenAsync(string host, int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunAsync(string script, string verb, CancellationToken ct)
    {
        var path = Path.Combine(servers.Root, "deploy", "local", script);
        var envFile = Path.Combine(servers.Root, ".data", "env");
        var envBefore = File.Exists(envFile) ? await File.ReadAllTextAsync(envFile, CancellationToken.None) : null;

        var start = new ProcessStartInfo("bash", [path, verb])
        {
            WorkingDirectory = servers.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[] { "ConnectionStrings__Postgres", "ConnectionStrings__RabbitMq", "RabbitMq__ManagementUrl" })
            start.Environment.Remove(name);
        start.Environment["PT_POSTGRES_PORT"] = servers.PostgresPort.ToString();
        start.Environment["PT_RABBITMQ_PORT"] = servers.RabbitMqPort.ToString();
        start.Environment["PT_RABBITMQ_MGMT_PORT"] = servers.ManagementPort.ToString();

        Append($"{DateTimeOffset.UtcNow:O} $ {script} {verb}");
        using var process = Process.Start(start) ?? throw new SetupException($"Could not run {path}.");
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
            throw new SetupException($"{script} {verb} did not finish within 3 minutes{(ct.IsCancellationRequested ? " (interrupted)" : "")}.");
        }
        var text = (await output + await errors).Trim();
        Append(text.Length > 0 ? text : "(no output)");
        Append($"{DateTimeOffset.UtcNow:O} exit {process.ExitCode}");

        if (envBefore is not null && File.Exists(envFile) && await File.ReadAllTextAsync(envFile, CancellationToken.None) != envBefore)
            await File.WriteAllTextAsync(envFile, envBefore, CancellationToken.None);
        if (process.ExitCode != 0)
            throw new SetupException($"{script} {verb} failed (exit {process.ExitCode}): {text}");
    }

    private void Append(string line)
    {
        lock (_logLock) File.AppendAllText(_logPath, line + Environment.NewLine);
    }
}

