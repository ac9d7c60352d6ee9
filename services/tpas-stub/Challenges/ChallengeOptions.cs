namespace ProductionTests.TpasStub.Challenges;

/// <summary>Configuration section <c>Challenges</c>.</summary>
public sealed class ChallengeOptions
{
    /// <summary>How long after creation a challenge expires (<c>Challenges:ExpiresAfter</c>, e.g. <c>30.00:00:00</c>).</summary>
    public TimeSpan ExpiresAfter { get; set; } = TimeSpan.FromDays(30);
}
