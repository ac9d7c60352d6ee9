namespace ProductionTests.TpasStub.Infrastructure;

public static class Clock
{
    /// <summary>Now, UTC, in whole milliseconds, so a stored timestamp equals what the JSON says.</summary>
    public static DateTimeOffset GetUtcNowMilliseconds(this TimeProvider clock)
    {
        var now = clock.GetUtcNow().ToUniversalTime();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
