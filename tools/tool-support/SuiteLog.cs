namespace ProductionTests.Tools;

/// <summary>Console lines stamped with the time since the load started (or the clock before it).</summary>
/// <param name="directory">Where the services' and the scripts' logs go.</param>
/// <param name="tool">The tool's name in messages ("fault suite", "benchmark").</param>
public sealed class SuiteLog(string directory, string tool)
{
    private readonly Lock _lock = new();

    public string Directory { get; } = directory;
    public string Tool { get; } = tool;
    public DateTimeOffset? LoadStartedAt { get; set; }

    public void Info(string message)
    {
        var now = DateTimeOffset.UtcNow;
        var stamp = LoadStartedAt is { } t0 ? $"{(now - t0).TotalSeconds,6:0.0}s" : now.ToString("HH:mm:ss");
        lock (_lock) Console.WriteLine($"[{stamp}] {message}");
    }
}
