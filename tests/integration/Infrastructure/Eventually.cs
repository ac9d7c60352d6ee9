namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>Polls for an asynchronous outcome with a generous deadline (a deadline, not a timing assertion).</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for {what} after {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the condition holds, and (with <paramref name="stableFor"/>) keeps holding that long.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? stableFor = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        DateTime? since = null;
        while (true)
        {
            if (await condition())
            {
                since ??= DateTime.UtcNow;
                if (DateTime.UtcNow - since >= (stableFor ?? TimeSpan.Zero)) return;
            }
            else since = null;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for {what} after {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}
