namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// A wake-up that coalesces: any number of <see cref="Set"/> calls wake one <see cref="WaitAsync"/>, and a Set after a
/// waiter woke wakes the next wait. Set is called on hot paths (every commit, every finished webhook attempt), so it never
/// throws: a SemaphoreSlim released past its maximum throws, and an exception per call was CPU the dispatcher paid for.
/// </summary>
public sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _set;

    public void Set()
    {
        if (Interlocked.Exchange(ref _set, 1) == 0) _semaphore.Release();
    }

    /// <summary>True when woken by a <see cref="Set"/>, false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (!await _semaphore.WaitAsync(timeout, ct)) return false;
        // Before the waiter's work: a Set from here on wakes the next wait.
        Volatile.Write(ref _set, 0);
        return true;
    }

    public void Dispose() => _semaphore.Dispose();
}
