using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.ServiceDefaults;
using RabbitMQ.Client;

namespace ProductionTests.IntegrationTests;

/// <summary>The queue-depth gauges, read from a real broker: each queue and its _error queue, and the error queues summed.</summary>
public sealed class QueueDepthMetricsTests
{
    [Fact]
    public async Task A_queue_and_its_error_queue_are_measured_and_the_error_queues_summed()
    {
        await using var broker = await TestRabbitMq.StartAsync();
        await using var vhost = await broker.CreateVirtualHostAsync();
        await using (var connection = await new ConnectionFactory { Uri = new Uri(vhost.ConnectionString) }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            foreach (var (queue, messages) in new[] { ("orders", 2), ("orders_error", 1) })
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
                for (var i = 0; i < messages; i++) await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes($"message {i}"));
            }
        }

        var seen = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Telemetry.Name && instrument.Name.StartsWith("production_tests.queue.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? queue = null;
            foreach (var tag in tags) if (tag.Key == "queue") queue = tag.Value as string;
            seen[$"{instrument.Name}{(queue is null ? "" : $"{{{queue}}}")}"] = value;
        });
        listener.Start();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = vhost.ConnectionString,
            ["Telemetry:QueueDepthSeconds"] = "1",
        }).Build();
        using var metrics = new QueueDepthMetrics(configuration, ["orders"], NullLogger<QueueDepthMetrics>.Instance);
        await metrics.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.HoldsAsync(() =>
                {
                    listener.RecordObservableInstruments();
                    return Task.FromResult(seen.GetValueOrDefault("production_tests.queue.messages{orders}") == 2
                        && seen.GetValueOrDefault("production_tests.queue.messages{orders_error}") == 1
                        && seen.GetValueOrDefault("production_tests.queue.error_messages") == 1);
                },
                TimeSpan.FromSeconds(30), $"the gauges; seen: {string.Join(", ", seen.Select(s => $"{s.Key}={s.Value}"))}");
        }
        finally
        {
            await metrics.StopAsync(CancellationToken.None);
        }
    }
}
