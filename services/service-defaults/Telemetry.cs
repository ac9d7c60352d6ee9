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
/// metrics (the same plus runtime and <see cref="Meter"/>) and logs. Exporters are off unless
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; then everything goes there over OTLP (the standard
/// OTEL_* variables configure the rest).
/// </summary>
public static class Telemetry
{
    public const string Name = "ProductionTests";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static IHostApplicationBuilder AddServiceTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
        });
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource(Name, "MassTransit", "Npgsql", "Marten")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Name, "MassTransit", "Npgsql", "Marten")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (otlp) telemetry.UseOtlpExporter();
        return builder;
    }
}
