namespace ProductionTests.TpasStub.Tests.Infrastructure;

/// <summary>
/// A clock the test moves by hand. Only "now" is manual: timers and timestamps stay the system's, so
/// LatencyMs still elapses on its own.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public ManualTimeProvider() : this(DefaultStart) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }
}
