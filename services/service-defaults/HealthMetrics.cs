using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProductionTests.ServiceDefaults;

/// <summary>
/// Each health check's last result as the gauge <c>production_tests.health.status</c> (2 healthy, 1 degraded,
/// 0 unhealthy; tag <c>check</c>), so an alert can watch a Degraded check that readiness deliberately ignores
/// (docs/operations.md, what to watch).
/// </summary>
public sealed class HealthMetrics : IHealthCheckPublisher
{
    private readonly ConcurrentDictionary<string, HealthStatus> _last = new();

    public HealthMetrics() =>
        Telemetry.Meter.CreateObservableGauge("production_tests.health.status",
            () => _last.Select(c => new System.Diagnostics.Metrics.Measurement<int>((int)c.Value, new KeyValuePair<string, object?>("check", c.Key))),
            description: "Last result of each health check: 2 healthy, 1 degraded, 0 unhealthy");

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries) _last[name] = entry.Status;
        return Task.CompletedTask;
    }

    public IReadOnlyDictionary<string, HealthStatus> Last => _last;
}

public static class HealthMetricsSetup
{
    /// <summary>Runs every health check every 5 s in the background and publishes the results as <see cref="HealthMetrics"/>.</summary>
    public static IServiceCollection AddHealthMetrics(this IServiceCollection services)
    {
        services.AddSingleton<HealthMetrics>();
        services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<HealthMetrics>());
        services.Configure<HealthCheckPublisherOptions>(o => { o.Delay = TimeSpan.FromSeconds(2); o.Period = TimeSpan.FromSeconds(5); });
        return services;
    }
}
