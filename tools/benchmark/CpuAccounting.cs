using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ProductionTests.Benchmark;

/// <summary>One group's CPU in a window: seconds, % of one core, CPU milliseconds per request.</summary>
public sealed record CpuGroup(string Name, double CpuSeconds, double PercentOfCore, double? MsPerRequest);

/// <summary>
/// Where the CPU went in one phase's measured window: each group (the services, PostgreSQL, RabbitMQ, the
/// benchmark, other) and the whole machine (busy time from /proc/stat; saturated at 100% x <see cref="Cores"/>).
/// </summary>
public sealed record CpuWindow(string Phase, double Seconds, long Requests, int Cores, CpuGroup Machine, IReadOnlyList<CpuGroup> Groups)
{
    /// <summary>One line for the main table's note column.</summary>
    public string Summary() =>
        "CPU/request: " + string.Join(", ", Groups.Where(g => g.Name != CpuAccounting.Other).Select(g => $"{g.Name} {CpuAccounting.Ms(g.MsPerRequest)} ms")) +
        $"; machine {Machine.PercentOfCore:0}% of {100 * Cores}% busy";
}

/// <summary>
/// CPU accounting over a phase's measured window, read from /proc: at the window's start and end (on a thread of
/// its own, so a busy thread pool does not delay it) each process's utime+stime is summed per group: the three
/// services by their current pid, PostgreSQL (argv[0] named postgres*) and RabbitMQ (beam.smp, rabbitmq,
/// erl_child_setup, epmd) with their reaped children's time (cutime+cstime, so a backend that exits in the window
/// still counts), and this process (the load generator). "other" is /proc/stat's busy time minus all of them.
/// </summary>
public sealed class CpuAccounting(Func<IReadOnlyList<ChildService>> services)
{
    public const string Postgres = "postgres", RabbitMq = "rabbitmq", Benchmark = "benchmark", Other = "other";
    private static readonly string[] RabbitMqMarks = ["beam.smp", "rabbitmq", "erl_child_setup", "epmd"];
    internal static readonly Lazy<double> TicksPerSecond = new(ClockTicks);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private sealed record Snapshot(double Seconds, long MachineBusy, Dictionary<string, long> Groups);

    /// <summary>
    /// Runs <paramref name="load"/> and meanwhile measures the window [<paramref name="warmUp"/>, warm-up +
    /// <paramref name="measured"/>] counted from this call (the loops count theirs from the same moment).
    /// </summary>
    /// <param name="requests">The requests completed in the window, for CPU per request.</param>
    public async Task<(T Result, CpuWindow Cpu)> DuringAsync<T>(string phase, TimeSpan warmUp, TimeSpan measured, Func<Task<T>> load,
        Func<T, long> requests, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var start = _clock.Elapsed;
        var window = Task.Factory.StartNew(() => Measure(start + warmUp, start + warmUp + measured, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        T result;
        try
        {
            result = await load();
        }
        catch
        {
            await stop.CancelAsync();
            await Task.WhenAny(window);
            throw;
        }
        var (first, last) = await window;
        return (result, Between(phase, first, last, requests(result)));
    }

    /// <summary>The measured windows in the order they ran: phases 1, 2, 2b, 3, 4 (each step), growth.</summary>
    public static IReadOnlyList<CpuWindow> Windows(LoadFigures baseline, LoadFigures post, LoadFigures? createAlone, LatencyPhase latency,
        SustainedPhase? sustained, GrowthPhase? growth) =>
        new[] { baseline.Cpu, post.Cpu, createAlone?.Cpu, latency.Creates.Cpu }.Concat(sustained?.Steps.Select(s => s.Cpu) ?? []).Append(growth?.Post.Cpu)
            .OfType<CpuWindow>().ToList();

    /// <summary>The compact table printed after the main one: each cell "% of one core / CPU ms per request".</summary>
    public static string Text(IReadOnlyList<CpuWindow> windows)
    {
        if (windows.Count == 0) return "";
        var names = windows.SelectMany(w => w.Groups.Select(g => g.Name)).Distinct().ToList();
        string Cell(CpuGroup? g) => g is null ? "-" : $"{g.PercentOfCore:0}% / {Ms(g.MsPerRequest)}";
        var header = new[] { "phase", "window", "requests", "machine busy" }.Concat(names).ToList();
        var cells = windows.Select(w => (IReadOnlyList<string>)
            [w.Phase, $"{w.Seconds:0.0} s", w.Requests.ToString(CultureInfo.InvariantCulture), Cell(w.Machine), .. names.Select(n => Cell(w.Groups.FirstOrDefault(g => g.Name == n)))]).ToList();
        var text = new StringBuilder();
        text.AppendLine($"Where the CPU went (each cell: % of one core / CPU ms per request; {windows[0].Cores} cores, saturated = {100 * windows[0].Cores}%)");
        text.AppendLine();
        text.Append(ResultTable.Columns(header, cells, column => column > 0));
        return text.ToString();
    }

    internal static string Ms(double? ms) => ms is { } v ? v.ToString(v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) : "-";

    private (Snapshot First, Snapshot Last) Measure(TimeSpan from, TimeSpan to, CancellationToken ct)
    {
        WaitUntil(from, ct);
        var first = Take();
        WaitUntil(to, ct);
        return (first, Take());
    }

    private void WaitUntil(TimeSpan at, CancellationToken ct)
    {
        var left = at - _clock.Elapsed;
        if (left > TimeSpan.Zero) ct.WaitHandle.WaitOne(left);
        ct.ThrowIfCancellationRequested();
    }

    private CpuWindow Between(string phase, Snapshot first, Snapshot last, long requests)
    {
        var seconds = last.Seconds - first.Seconds;
        CpuGroup Group(string name, long ticks)
        {
            var cpu = Math.Max(0, ticks) / TicksPerSecond.Value;
            return new CpuGroup(name, cpu, seconds > 0 ? 100 * cpu / seconds : 0, requests > 0 ? 1000 * cpu / requests : null);
        }
        var named = last.Groups.Keys.Union(first.Groups.Keys)
            .Select(name => (Name: name, Ticks: last.Groups.GetValueOrDefault(name) - first.Groups.GetValueOrDefault(name)))
            .ToList();
        var busy = last.MachineBusy - first.MachineBusy;
        var groups = named.Select(g => Group(g.Name, g.Ticks)).Append(Group(Other, busy - named.Sum(g => Math.Max(0, g.Ticks)))).ToList();
        return new CpuWindow(phase, seconds, requests, Environment.ProcessorCount, Group("machine", busy), groups);
    }

    private Snapshot Take()
    {
        var before = _clock.Elapsed.TotalSeconds;
        var machineBusy = MachineBusyTicks();
        var byPid = services().Where(s => s.ProcessId is not null).ToDictionary(s => s.ProcessId!.Value, s => s.Name);
        var groups = byPid.Values.Order(StringComparer.Ordinal).Concat([Postgres, RabbitMq, Benchmark]).ToDictionary(name => name, _ => 0L);
        var self = Environment.ProcessId;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            var group = byPid.TryGetValue(pid, out var service) ? service : pid == self ? Benchmark : Server(pid);
            if (group is null || ProcessTicks(pid) is not { } ticks) continue;
            groups[group] += ticks.Own + (group is Postgres or RabbitMq ? ticks.ReapedChildren : 0);
        }
        return new Snapshot((before + _clock.Elapsed.TotalSeconds) / 2, machineBusy, groups);
    }

    /// <summary>PostgreSQL or RabbitMQ by the command line, else null.</summary>
    private static string? Server(int pid)
    {
        string commandLine;
        try { commandLine = File.ReadAllText($"/proc/{pid}/cmdline"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        var program = commandLine.Split('\0', 2)[0];
        if (program.StartsWith('/')) program = Path.GetFileName(program);
        if (program.StartsWith("postgres", StringComparison.Ordinal)) return Postgres;
        return RabbitMqMarks.Any(mark => commandLine.Contains(mark, StringComparison.Ordinal)) ? RabbitMq : null;
    }

    /// <summary>/proc/&lt;pid&gt;/stat: utime+stime, and cutime+cstime (children waited for), in clock ticks.</summary>
    private static (long Own, long ReapedChildren)? ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // After the command name in parentheses (which may hold anything): field 3 (state) onwards.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            return (Field(14) + Field(15), Field(16) + Field(17));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;   // gone meanwhile
        }
    }

    /// <summary>/proc/stat's first line: user + nice + system + irq + softirq + steal, over all cores.</summary>
    private static long MachineBusyTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int index) => fields.Length > index ? long.Parse(fields[index], CultureInfo.InvariantCulture) : 0;
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    /// <summary><c>getconf CLK_TCK</c>: the unit of /proc's times (100 on Linux as good as always).</summary>
    private static double ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true, UseShellExecute = false });
            var output = getconf?.StandardOutput.ReadToEnd().Trim();
            getconf?.WaitForExit();
            return double.TryParse(output, NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}
