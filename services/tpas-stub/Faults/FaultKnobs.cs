namespace ProductionTests.TpasStub.Faults;

/// <summary>
/// How the stub misbehaves. The same shape is read from configuration section <c>Faults</c> and
/// exchanged as JSON on <c>/admin/faults</c>; a PUT replaces every knob (an omitted one is reset).
/// </summary>
public sealed record FaultKnobs
{
    public static readonly FaultKnobs None = new();

    /// <summary>Milliseconds to wait before answering any <c>/v1</c> endpoint.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Fraction (0 to 1) of <c>POST /v1/challenges</c> answered 503 without creating anything.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Titles (case-insensitive) whose creation is refused with 422.</summary>
    public string[]? RefuseTitles { get; init; } = [];

    /// <summary>Provider ids (exact) whose presence in <c>providerIds</c> makes creation refused with 422.</summary>
    public string[]? RefuseProviders { get; init; } = [];

    /// <summary>Every <c>/v1</c> endpoint answers 503.</summary>
    public bool Down { get; init; }

    /// <summary>
    /// Fraction (0 to 1) of <c>POST /v1/challenges</c> that create the challenge and then answer 503 anyway: the
    /// ambiguous case, booked at tpas-backend while the caller sees a failure.
    /// </summary>
    public double LostAnswerRate { get; init; }

    /// <summary>How long such a lost answer waits before its 503, so a caller with a shorter timeout sees a timeout.</summary>
    public int LostAnswerDelayMs { get; init; }

    /// <returns>Why these knobs are not acceptable, or null.</returns>
    public string? Refusal()
    {
        if (LatencyMs < 0) return "'latencyMs' must be 0 or more.";
        if (double.IsNaN(ErrorRate) || ErrorRate is < 0 or > 1) return "'errorRate' must be from 0 to 1.";
        if (double.IsNaN(LostAnswerRate) || LostAnswerRate is < 0 or > 1) return "'lostAnswerRate' must be from 0 to 1.";
        if (LostAnswerDelayMs < 0) return "'lostAnswerDelayMs' must be 0 or more.";
        if ((RefuseTitles ?? []).Any(t => t is null)) return "'refuseTitles' must not contain null.";
        if ((RefuseProviders ?? []).Any(p => p is null)) return "'refuseProviders' must not contain null.";
        return null;
    }

    /// <summary>Null lists (sent as JSON null) become empty ones, so readers never see null.</summary>
    public FaultKnobs Normalized() => this with { RefuseTitles = RefuseTitles ?? [], RefuseProviders = RefuseProviders ?? [] };
}
