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

    public void Created(string clientId) => _created.Add(1, new KeyValuePair<string, object?>("client_id", clientId));
    public void Relayed(TimeSpan lag) => _relayLag.Record(Math.Max(0, lag.TotalSeconds));
    public void OutcomeRecorded(string outcome, TimeSpan latency) => _outcomeLatency.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("outcome", outcome));
}
