using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace ProductionTests.ServiceDefaults;

/// <summary>
/// The messages waiting in a service's own queues, as gauges: <c>production_tests.queue.messages</c> (tag
/// <c>queue</c>: the input queue and its <c>_error</c> queue) and <c>production_tests.queue.error_messages</c>
/// (the error queues together). Read every <c>Telemetry:QueueDepthSeconds</c> (10) with a passive declare over a
/// connection of its own; only while telemetry is exported (no poll, no connection otherwise).
/// </summary>
public sealed class QueueDepthMetrics(IConfiguration configuration, IReadOnlyList<string> queues, ILogger<QueueDepthMetrics> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, long> _depths = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Telemetry.Meter.CreateObservableGauge("production_tests.queue.messages",
            () => _depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("queue", d.Key))),
            unit: "{message}", description: "Messages ready in this service's queue and its error queue");
        Telemetry.Meter.CreateObservableGauge("production_tests.queue.error_messages",
            () => _depths.Where(d => d.Key.EndsWith("_error", StringComparison.Ordinal)).Sum(d => d.Value),
            unit: "{message}", description: "Messages in this service's error queues: each one needs a person (redrive-errors)");

        var period = TimeSpan.FromSeconds(configuration.GetValue("Telemetry:QueueDepthSeconds", 10));
        var rabbit = RabbitMqConnection.Parse(configuration.GetConnectionString("RabbitMq"));
        IConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    connection ??= await rabbit.CreateConnectionFactory().CreateConnectionAsync(rabbit.Endpoints(), stoppingToken);
                    foreach (var queue in queues.SelectMany(q => new[] { q, q + "_error" }))
                    {
                        // A queue not declared yet closes the channel: one channel per queue.
                        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                        try { _depths[queue] = await channel.MessageCountAsync(queue, stoppingToken); }
                        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { _depths.TryRemove(queue, out _); }
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug(e, "Could not read the queue depths");
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                }
                await Task.Delay(period, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }
}

public static class QueueDepthMetricsSetup
{
    /// <summary>Reports these queues' depths (and their _error queues') while telemetry is exported.</summary>
    public static IServiceCollection AddQueueDepthMetrics(this IServiceCollection services, IConfiguration configuration, params string[] queues)
    {
        if (Telemetry.IsExported(configuration))
            services.AddHostedService(sp => new QueueDepthMetrics(configuration, queues, sp.GetRequiredService<ILogger<QueueDepthMetrics>>()));
        return services;
    }
}
