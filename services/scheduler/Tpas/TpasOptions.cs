namespace ProductionTests.Scheduler.Tpas;

/// <summary>Configuration section <c>Tpas</c>: where tpas-backend (or services/tpas-stub) answers.</summary>
public sealed class TpasOptions
{
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:5090/");

    /// <summary>How long one call may take before it counts as a transient failure and is retried.</summary>
    public int TimeoutSeconds { get; set; } = 5;
}
