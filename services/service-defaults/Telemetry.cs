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

    public static IHostApplicationBuilder AddServiceTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        // Without an exporter nothing would read the traces, metrics and logs the SDK collects, and
        // collecting them costs a good part of the CPU under load (an activity per request, per SQL
        // command and per message): the SDK is only set up when there is somewhere to send them.
        // The activity sources and meters stay, so an in-process listener (a test) still sees them.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return builder;
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource(Name, "MassTransit", "Npgsql", "Marten")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Name, "MassTransit", "Npgsql", "Marten")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .UseOtlpExporter();
        return builder;
    }
}
