namespace ProductionTests.TpasStub.Faults;

/// <summary>
/// The knobs in force, changed at run time by the admin endpoints. The random generator is seeded from
/// <c>Faults:Seed</c> when given, so a test can replay the same sequence of simulated errors; it is
/// not thread-safe, hence the lock.
/// </summary>
public sealed class FaultSettings(FaultKnobs initial, int? seed)
{
    private readonly Lock _gate = new();
    private readonly Random _random = seed is { } s ? new Random(s) : new Random();
    private FaultKnobs _current = initial.Normalized();

    public FaultKnobs Current
    {
        get { lock (_gate) return _current; }
    }

    public void Replace(FaultKnobs knobs)
    {
        lock (_gate) _current = knobs.Normalized();
    }

    /// <summary>True when this request is to fail with a simulated 503 (rolled against ErrorRate).</summary>
    public bool RollError()
    {
        lock (_gate) return _current.ErrorRate > 0 && _random.NextDouble() < _current.ErrorRate;
    }

    /// <summary>True when this newly created challenge's answer is to be lost (rolled against LostAnswerRate).</summary>
    public bool RollLostAnswer()
    {
        lock (_gate) return _current.LostAnswerRate > 0 && _random.NextDouble() < _current.LostAnswerRate;
    }

    /// <returns>Why the refusal knobs refuse this challenge, or null.</returns>
    public string? Refusal(string title, IReadOnlyList<string> providerIds)
    {
        var knobs = Current;
        if (knobs.RefuseTitles!.Contains(title, StringComparer.OrdinalIgnoreCase))
            return $"Challenges titled '{title}' are refused (Faults:RefuseTitles).";
        if (providerIds.FirstOrDefault(p => knobs.RefuseProviders!.Contains(p, StringComparer.Ordinal)) is { } provider)
            return $"Provider '{provider}' is refused (Faults:RefuseProviders).";
        return null;
    }
}
