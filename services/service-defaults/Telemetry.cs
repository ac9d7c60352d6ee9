using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ProductionTests.ServiceDefaults;

/// <summary>
/// OpenTelemetry for every service: traces (ASP.NET Core, HttpClient, MassTransit, Npgsql and ours),
/// metrics (the same plus runtime and <see cref="Meter"/>) and logs, sent over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OTEL_* variables configure the rest);
/// without it the SDK is not set up at all.
/// </summary>
public static class Telemetry
{
    public const string Name = "ProductionTests";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>The challenge request (<c>req_...</c>) a span or a measurement belongs to: on every span of ours.</summary>
    public const string RequestIdTag = "production_tests.request_id";

    /// <summary>Bucket boundaries of a duration in seconds: from a millisecond to half a minute.</summary>
    public static readonly IReadOnlyList<double> DurationSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>The same boundaries for a duration in milliseconds.</summary>
    public static readonly IReadOnlyList<double> DurationMilliseconds = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

    /// <summary>Advice for our own histograms of seconds, which any listener sees, not only this SDK setup.</summary>
    public static InstrumentAdvice<double> SecondsAdvice { get; } = new() { HistogramBucketBoundaries = DurationSeconds };

    /// <summary>Whether traces, metrics and logs are sent anywhere (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set).</summary>
    public static bool IsExported(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static IHostApplicationBuilder AddServiceTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        // Without an exporter nothing would read the traces, metrics and logs the SDK collects, and
        // collecting them costs a good part of the CPU under load (an activity per request, per SQL
        // command and per message): the SDK is only set up when there is somewhere to send them.
        // The activity sources and meters stay, so an in-process listener (a test) still sees them.
        if (!IsExported(builder.Configuration)) return builder;
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceSampler(builder.Configuration.GetValue("Telemetry:TracesPerSecond", 20.0), TimeProvider.System)))
                .AddSource(Name, "MassTransit", "Npgsql", "Marten")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Name, "MassTransit", "Npgsql", "Marten")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddDurationBuckets())
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// Gives every duration histogram (unit <c>s</c> or <c>ms</c>) the boundaries above, libraries'
    /// included: the SDK's defaults (0 to 10000) suit milliseconds and would put every value of a
    /// histogram of seconds without advice (Npgsql's) into one bucket, and ASP.NET Core's and
    /// HttpClient's advice starts at 5 ms. A view wins over advice. Connection lifetimes
    /// (<c>*.connection.duration</c>) keep their longer advice.
    /// </summary>
    public static MeterProviderBuilder AddDurationBuckets(this MeterProviderBuilder metrics) => metrics.AddView(DurationBuckets);

    private static MetricStreamConfiguration? DurationBuckets(Instrument instrument)
    {
        var isHistogram = instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);
        if (!isHistogram || instrument.Name.EndsWith(".connection.duration", StringComparison.Ordinal)) return null;
        return instrument.Unit switch
        {
            "s" => new ExplicitBucketHistogramConfiguration { Boundaries = [.. DurationSeconds] },
            "ms" => new ExplicitBucketHistogramConfiguration { Boundaries = [.. DurationMilliseconds] },
            _ => null,
        };
    }
}
