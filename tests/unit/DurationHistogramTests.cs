using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.UnitTests;

/// <summary>Duration histograms get buckets from a millisecond to half a minute, ours by advice, libraries' by a view.</summary>
public class DurationHistogramTests
{
    private static readonly double[] Seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] Milliseconds = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    [Fact]
    public void Our_histograms_advise_the_duration_buckets_to_any_listener()
    {
        var advised = new Dictionary<string, IReadOnlyList<double>?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument is Histogram<double> histogram && instrument.Meter.Name == Telemetry.Name)
                lock (advised) advised[instrument.Name] = histogram.Advice?.HistogramBucketBoundaries;
        };

        _ = new EventStoreMetrics();
        listener.Start();

        Assert.Equal(Seconds, advised["production_tests.relay.lag"]);
        Assert.Equal(Seconds, advised["production_tests.outcome.latency"]);
    }

    [Fact]
    public void The_view_gives_every_duration_histogram_the_buckets_of_its_unit_and_wins_over_advice()
    {
        using var meter = new Meter($"tests.{Guid.NewGuid():N}");
        var exporter = new BoundsExporter();
        using (var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddDurationBuckets().AddReader(new BaseExportingMetricReader(exporter)).Build())
        {
            // As ASP.NET Core advises (from 5 ms), as Npgsql has none, MassTransit's in ms, ours.
            meter.CreateHistogram("http.server.request.duration", "s", null, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 10] }).Record(0.002);
            meter.CreateHistogram<double>("db.client.commands.duration", "s").Record(0.002);
            meter.CreateHistogram<double>("messaging.masstransit.consume.duration", "ms").Record(2);
            meter.CreateHistogram("production_tests.relay.lag", "s", null, null, Telemetry.SecondsAdvice).Record(0.002);
            // Left alone: a connection's lifetime, and a histogram that is not a duration.
            meter.CreateHistogram("kestrel.connection.duration", "s", null, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 300] }).Record(1);
            meter.CreateHistogram<long>("marten.shard.gap").Record(3);
            provider.ForceFlush();
        }

        Assert.Equal(Seconds, exporter.Bounds["http.server.request.duration"]);
        Assert.Equal(Seconds, exporter.Bounds["db.client.commands.duration"]);
        Assert.Equal(Milliseconds, exporter.Bounds["messaging.masstransit.consume.duration"]);
        Assert.Equal(Seconds, exporter.Bounds["production_tests.relay.lag"]);
        Assert.Equal([0.01, 300], exporter.Bounds["kestrel.connection.duration"]);
        Assert.Equal([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000], exporter.Bounds["marten.shard.gap"]);
    }

    [Fact]
    public void A_service_exporting_metrics_applies_the_view()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1"; // nothing listens: exports fail quietly
        builder.AddServiceTelemetry("tests");
        var exporter = new BoundsExporter();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddReader(new BaseExportingMetricReader(exporter)));
        using var host = builder.Build();
        var provider = host.Services.GetRequiredService<MeterProvider>();
        // A meter the services listen to, an instrument named as Npgsql's (no advice) with a suffix of its own.
        using var npgsql = new Meter("Npgsql");
        npgsql.CreateHistogram<double>($"db.client.commands.duration.{Guid.NewGuid():N}", "s").Record(0.002);

        provider.ForceFlush();

        Assert.Equal(Seconds, Assert.Single(exporter.Bounds, b => b.Key.StartsWith("db.client.commands.duration.", StringComparison.Ordinal)).Value);
    }

    /// <summary>Keeps each histogram's explicit bucket bounds (the last bucket, +Infinity, left out).</summary>
    private sealed class BoundsExporter : BaseExporter<Metric>
    {
        public Dictionary<string, double[]> Bounds { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                if (metric.MetricType != MetricType.Histogram) continue;
                foreach (ref readonly var point in metric.GetMetricPoints())
                    Bounds[metric.Name] = [.. BoundsOf(point)];
            }
            return ExportResult.Success;
        }

        private static IEnumerable<double> BoundsOf(in MetricPoint point)
        {
            var bounds = new List<double>();
            foreach (var bucket in point.GetHistogramBuckets())
                if (!double.IsPositiveInfinity(bucket.ExplicitBound)) bounds.Add(bucket.ExplicitBound);
            return bounds;
        }
    }
}
