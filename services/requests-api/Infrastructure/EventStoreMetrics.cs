using System.Diagnostics.Metrics;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>The service's own metrics (meter <c>ProductionTests</c>), beside ASP.NET Core's, MassTransit's and the runtime's.</summary>
public sealed class EventStoreMetrics
{
    private readonly Counter<long> _created = Telemetry.Meter.CreateCounter<long>("production_tests.requests.created", description: "Challenge requests accepted (201)");
    private readonly Histogram<double> _relayLag = Telemetry.Meter.CreateHistogram(
        "production_tests.relay.lag", "s", "From an event's commit to its publication on the bus", tags: null, advice: Telemetry.SecondsAdvice);
    private readonly Histogram<double> _outcomeLatency = Telemetry.Meter.CreateHistogram(
        "production_tests.outcome.latency", "s", "From a request's acceptance to its recorded outcome", tags: null, advice: Telemetry.SecondsAdvice);

    private readonly Counter<long> _answered = Telemetry.Meter.CreateCounter<long>(
        "production_tests.creates", description: "POSTs of a create answered, by outcome: created, replayed, conflict (409), refused (other 4xx), unavailable (5xx)");

    public void CreateAnswered(string outcome) => _answered.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Created(string clientId) => _created.Add(1, new KeyValuePair<string, object?>("client_id", clientId));
    public void Relayed(TimeSpan lag) => _relayLag.Record(Math.Max(0, lag.TotalSeconds));
    private readonly Counter<long> _outcomes = Telemetry.Meter.CreateCounter<long>(
        "production_tests.requests.outcomes", description: "Outcomes recorded, by outcome (scheduled, failed) and, for a failure, tpas-backend's reason code");

    public void OutcomeRecorded(string outcome, string? reasonCode, TimeSpan latency)
    {
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        _outcomeLatency.Record(Math.Max(0, latency.TotalSeconds), outcomeTag);
        _outcomes.Add(1, outcomeTag, new KeyValuePair<string, object?>("reason_code", reasonCode));
    }
}
