using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace ProductionTests.FaultSuite;

/// <summary>
/// The PostgreSQL and RabbitMQ the suite runs against, as .data/env exports them
/// (<c>ConnectionStrings__Postgres</c>, <c>ConnectionStrings__RabbitMq</c>, <c>RabbitMq__ManagementUrl</c>),
/// and the ports deploy/local/*.sh must be given to stop and start exactly those servers
/// (<c>PT_POSTGRES_PORT</c>, <c>PT_RABBITMQ_PORT</c>, <c>PT_RABBITMQ_MGMT_PORT</c>: taken from the
/// environment when set, which must then agree with the URLs, or else from the URLs).
/// </summary>
public sealed record ServerSettings(
    string Root,
    string PostgresConnectionString,
    string PostgresHost,
    int PostgresPort,
    Uri Amqp,
    int RabbitMqPort,
    Uri Management,
    int ManagementPort)
{
    public static ServerSettings FromEnvironment(string root)
    {
        var postgres = Required("ConnectionStrings__Postgres");
        var builder = new NpgsqlConnectionStringBuilder(postgres);
        var host = builder.Host ?? "127.0.0.1";
        var postgresPort = PortFromEnvironment("PT_POSTGRES_PORT", builder.Port, "ConnectionStrings__Postgres");

        var amqp = new Uri(Required("ConnectionStrings__RabbitMq"));
        if (amqp.Scheme is not ("amqp" or "rabbitmq")) throw new SetupException($"ConnectionStrings__RabbitMq is not an AMQP URI: {amqp}");
        var rabbitPort = PortFromEnvironment("PT_RABBITMQ_PORT", amqp.IsDefaultPort || amqp.Port < 0 ? 5672 : amqp.Port, "ConnectionStrings__RabbitMq");

        var managementText = Environment.GetEnvironmentVariable("RabbitMq__ManagementUrl");
        var management = string.IsNullOrEmpty(managementText)
            ? new Uri($"http://{amqp.Host}:{Environment.GetEnvironmentVariable("PT_RABBITMQ_MGMT_PORT") ?? "15672"}/")
            : new Uri(managementText.EndsWith('/') ? managementText : managementText + "/");
        var managementPort = PortFromEnvironment("PT_RABBITMQ_MGMT_PORT", management.Port, "RabbitMq__ManagementUrl");

        return new ServerSettings(root, postgres, host, postgresPort, amqp, rabbitPort, management, managementPort);
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new SetupException($"{name} is not set: run deploy/fault-suite.sh, or start the servers with deploy/local/*.sh and 'source .data/env'.");

    private static int PortFromEnvironment(string variable, int fromUrl, string urlVariable)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(text)) return fromUrl;
        if (!int.TryParse(text, out var port)) throw new SetupException($"{variable}={text} is not a port.");
        if (port != fromUrl)
            throw new SetupException($"{variable}={port} but {urlVariable} points at port {fromUrl}: the scripts would stop and start another server " +
                                     "than the one the services use. Source the .data/env that matches, or unset the variable.");
        return port;
    }

    public bool IsLoopback(string host) => host is "127.0.0.1" or "localhost" or "::1" or "[::1]";
}

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
                   $"{(lines.Length >= 4 ? lines[3].Trim() : "?")}, not {servers.PostgresPort}. Run the suite from the checkout that started the server on {servers.PostgresPort}.";
        return null;
    }

    /// <summary>Why rabbitmq.sh could not stop and start the broker on our port, or null when it can.</summary>
    public string? RabbitMqRestartProblem()
    {
        if (!servers.IsLoopback(servers.Amqp.Host)) return $"RabbitMQ at {servers.Amqp.Host} is not local; the scripts cannot restart it.";
        if (DockerAnswers()) return null;
        // rabbitmq.sh names the node after the port and keeps its pid file in its data directory.
        var node = servers.RabbitMqPort == 5672 ? "pt@localhost" : $"pt-{servers.RabbitMqPort}@localhost";
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(servers.Root + "\n")))[..8];
        string[] candidates = [Path.Combine(servers.Root, ".data", "rabbitmq", $"{node}.pid"), $"/tmp/production-tests-rabbitmq-{hash}/{node}.pid"];
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

/// <summary>
/// What the suite runs in and throws away afterwards: a fresh database <c>fault_suite_&lt;timestamp&gt;</c> on
/// the PostgreSQL server and a fresh RabbitMQ virtual host, created through the management API.
/// </summary>
public sealed class Sandbox
{
    private readonly ServerSettings _servers;
    private readonly HttpClient _management;

    public string Database { get; }
    public string VirtualHost { get; }
    public string PostgresConnectionString { get; }
    public string AmqpConnectionString { get; }

    private Sandbox(ServerSettings servers, string stamp)
    {
        _servers = servers;
        Database = $"fault_suite_{stamp}";
        VirtualHost = $"fault-suite-{stamp}";
        PostgresConnectionString = new NpgsqlConnectionStringBuilder(servers.PostgresConnectionString) { Database = Database }.ConnectionString;
        AmqpConnectionString = new UriBuilder(servers.Amqp) { Path = "/" + VirtualHost }.Uri.ToString();
        _management = new HttpClient { BaseAddress = servers.Management, Timeout = TimeSpan.FromSeconds(15) };
        var credentials = servers.Amqp.UserInfo.Length > 0 ? Uri.UnescapeDataString(servers.Amqp.UserInfo) : "guest:guest";
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
    }

    /// <summary>The server's maintenance database, without pooling (it goes away with restarts).</summary>
    public string ServerConnectionString => new NpgsqlConnectionStringBuilder(_servers.PostgresConnectionString) { Database = "postgres", Pooling = false, Timeout = 5 }.ConnectionString;
    private string User => Uri.UnescapeDataString(_servers.Amqp.UserInfo.Split(':')[0]) is { Length: > 0 } user ? user : "guest";

    public static Sandbox For(ServerSettings servers, DateTimeOffset startedAt) => new(servers, startedAt.ToString("yyyyMMdd_HHmmss"));

    public async Task CreateAsync(CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        (await _management.PutAsync($"api/vhosts/{Uri.EscapeDataString(VirtualHost)}", null, ct)).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(User)}",
            new { configure = ".*", write = ".*", read = ".*" }, ct)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The vhost's <c>_error</c> and <c>_skipped</c> queues that hold messages: work that was given up.
    /// (Other queues' counts are the management API's periodic statistics, seconds old, so not reported.)
    /// </summary>
    public async Task<IReadOnlyList<QueueDepth>> NonEmptyQueuesAsync(CancellationToken ct)
    {
        using var response = await _management.GetAsync($"api/queues/{Uri.EscapeDataString(VirtualHost)}", ct);
        response.EnsureSuccessStatusCode();
        var queues = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var found = new List<QueueDepth>();
        foreach (var queue in queues.EnumerateArray())
        {
            long Count(string property) => queue.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
            var messages = Count("messages");
            var name = queue.GetProperty("name").GetString() ?? "";
            if (messages > 0 && (name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal))) found.Add(new QueueDepth(queue.GetProperty("name").GetString() ?? "?", messages, Count("messages_unacknowledged")));
        }
        return found;
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        using var response = await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(VirtualHost)}");
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound) response.EnsureSuccessStatusCode();
    }
}

public sealed record QueueDepth(string Queue, long Messages, long Unacknowledged);

/// <summary>The suite cannot run (configuration, servers, builds): exit code 2.</summary>
public sealed class SetupException(string message) : Exception(message);
