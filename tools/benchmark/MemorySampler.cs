namespace ProductionTests.Benchmark;

/// <summary>A service's peak resident memory over the run (all its processes, restarts included).</summary>
public sealed record MemoryPeak(string Service, double PeakMb, double PeakHwmMb, double PeakSampledRssMb, int Samples);

/// <summary>
/// Reads /proc/&lt;pid&gt;/status of each service every 0.5 s for the whole run: VmHWM (the kernel's own
/// peak resident set of the process) and VmRSS (the sample). The peak reported is the larger of both,
/// so a requests-api that is stopped for the bulk fill and started again counts with both processes.
/// </summary>
public sealed class MemorySampler(Func<IReadOnlyList<ChildService>> services) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long HwmKb, long RssKb, int Samples)> _peaks = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = LoopAsync(_stop.Token);

    /// <summary>Takes a sample now (before a service is stopped, and at the end).</summary>
    public void SampleNow()
    {
        foreach (var service in services())
        {
            if (service.ProcessId is not { } pid) continue;
            if (Read(pid) is not { } reading) continue;
            lock (_lock)
            {
                var peak = _peaks.GetValueOrDefault(service.Name);
                _peaks[service.Name] = (Math.Max(peak.HwmKb, reading.HwmKb), Math.Max(peak.RssKb, reading.RssKb), peak.Samples + 1);
            }
        }
    }

    public IReadOnlyList<MemoryPeak> Peaks()
    {
        lock (_lock)
            return _peaks.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new MemoryPeak(p.Key, Math.Max(p.Value.HwmKb, p.Value.RssKb) / 1024.0, p.Value.HwmKb / 1024.0, p.Value.RssKb / 1024.0, p.Value.Samples))
                .ToList();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                SampleNow();
                await Task.Delay(500, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static (long HwmKb, long RssKb)? Read(int pid)
    {
        try
        {
            long hwm = 0, rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kilobytes(line);
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
            }
            return (hwm, rss);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;   // gone meanwhile
        }

        static long Kilobytes(string line) => long.TryParse(line.Split(':', 2)[1].Trim().Split(' ')[0], out var kb) ? kb : 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
