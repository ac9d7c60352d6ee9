using System.Diagnostics;

namespace ProductionTests.Tools;

/// <summary>
/// One service as a child process, <c>dotnet &lt;dll&gt;</c> in its project directory (as deploy/run.sh
/// starts it), with its output appended to &lt;log directory&gt;/&lt;name&gt;.log across restarts.
/// </summary>
public sealed class ChildService(string name, string workingDirectory, string dll, int port, string defaultReadyPath,
    IReadOnlyDictionary<string, string> environment, SuiteLog log) : IDisposable
{
    private readonly string _logPath = Path.Combine(log.Directory, $"{name}.log");
    private readonly Lock _outputLock = new();
    private StreamWriter? _output;
    private Process? _process;

    public string Name => name;
    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}/");
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <param name="settings">Environment on top of the service's own, for this start only.</param>
    public void Start(IReadOnlyDictionary<string, string>? settings = null)
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException($"{name} is already running.");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment.Concat(settings ?? new Dictionary<string, string>())) start.Environment[key] = value;
        start.Environment["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/');
        // Timestamps in the logs, to line them up with the tool's timeline.
        start.Environment["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ";
        start.Environment["Logging__Console__UseUtcTimestamp"] = "true";

        lock (_outputLock)
        {
            _output ??= new StreamWriter(_logPath, append: true) { AutoFlush = true };
            _output.WriteLine($"===== {DateTimeOffset.UtcNow:O} starting {name}: dotnet {dll} on {BaseAddress}" +
                (settings is { Count: > 0 } ? $" with {string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}"))}" : ""));
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        if (!process.Start()) throw new SetupException($"Could not start {name}.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: no shutdown, no flushing, exactly as a crash. Returns once the process is gone.</summary>
    public bool Kill(string? why = null)
    {
        why ??= $"killed (SIGKILL) by the {log.Tool}";
        if (_process is not { } process) return false;
        try
        {
            if (process.HasExited) return false;
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        lock (_outputLock) _output?.WriteLine($"===== {DateTimeOffset.UtcNow:O} {name} {why}");
        return process.HasExited;
    }

    /// <summary>Waits until <c>readyPath</c> (or <paramref name="path"/>) answers 200; fails at once when the process exits.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout, CancellationToken ct, string? path = null)
    {
        var readyPath = path ?? defaultReadyPath;
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process is not { } process || process.HasExited)
                throw new SetupException($"{name} exited (code {_process?.ExitCode}); see {_logPath}:{Environment.NewLine}{Tail()}");
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                using var response = await http.GetAsync(new Uri(BaseAddress, readyPath), attempt.Token);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // not listening yet
            }
            if (DateTimeOffset.UtcNow > deadline)
                throw new SetupException($"{name} is not ready ({readyPath}) after {timeout.TotalSeconds:0} s; see {_logPath}:{Environment.NewLine}{Tail()}");
            await Task.Delay(100, ct);
        }
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_outputLock) _output?.WriteLine(line);
    }

    private string Tail()
    {
        lock (_outputLock) _output?.Flush();
        try
        {
            using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join('\n', lines.TakeLast(25));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        Kill($"stopped: the {log.Tool} is done");
        _process?.Dispose();
        lock (_outputLock)
        {
            _output?.Dispose();
            _output = null;
        }
    }
}
