using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>A queue of the test's own, bound to event exchanges, as a downstream subscriber would bind one.</summary>
public sealed class TestQueue : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<Received> _received = new();

    public sealed record Received(string MessageType, JsonElement Message, IDictionary<string, object?> Headers, string? ContentType);

    private TestQueue(IConnection connection, IChannel channel) => (_connection, _channel) = (connection, channel);

    public static async Task<TestQueue> BindAsync(string amqpUri, params string[] events)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync($"test-subscriber-{Guid.NewGuid():N}", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var name in events)
        {
            var exchange = $"ProductionTests.Contracts:{name}";
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, "");
        }
        var testQueue = new TestQueue(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var envelope = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span)).RootElement.Clone();
            var headers = delivery.BasicProperties.Headers?.ToDictionary(h => h.Key, h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : h.Value)
                ?? new Dictionary<string, object?>();
            testQueue._received.Enqueue(new Received(envelope.GetProperty("messageType")[0].GetString()!, envelope.GetProperty("message"), headers, delivery.BasicProperties.ContentType));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return testQueue;
    }

    public IReadOnlyList<Received> For(string requestId) =>
        _received.Where(r => r.Message.TryGetProperty("requestId", out var id) && id.GetString() == requestId).ToList();

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
