namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>The system clock, moved forward on demand.</summary>
public sealed class MutableClock : TimeProvider
{
    private TimeSpan _offset;
    public void Advance(TimeSpan by) => _offset += by;
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}
