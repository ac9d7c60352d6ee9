using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Marten;
using ProductionTests.IntegrationTests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// A downstream subscriber that does not use MassTransit: plain RabbitMQ.Client, a queue of its own
/// bound to the exchanges docs/asyncapi.yaml names, reading the JSON envelope by hand. Runs on a
/// platform of its own so that nothing else consumes from or publishes to its queue.
/// </summary>
public sealed class DownstreamSubscriberTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ContentType = "application/vnd.masstransit+json";
    private const string Queue = "downstream-subscriber-challenges";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private TestPlatform _platform = null!;

    public async Task InitializeAsync() => _platform = await TestPlatform.StartAsync();

    public async Task DisposeAsync()
    {
        if (_platform is not null) await _platform.DisposeAsync();
    }

    private sealed record Delivery(string Exchange, IReadOnlyBasicProperties Properties, string Body)
    {
        public JsonElement Envelope { get; } = JsonDocument.Parse(Body).RootElement;
        public JsonElement Message => Envelope.GetProperty("message");
    }

    [Fact]
    public async Task A_plain_AMQP_subscriber_receives_the_request_and_then_its_outcome()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_platform.Broker.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();

        // As docs/events.md tells a subscriber: a durable queue of its own, bound to the durable fanout
        // exchanges (declared exactly as MassTransit declares them, so declaring again is a no-op).
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var exchange in new[] { Exchange("ChallengeRequested"), Exchange("ChallengeScheduled") })
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(Queue, exchange, routingKey: "");
        }

        var deliveries = Channel.CreateUnbounded<Delivery>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, received) =>
        {
            // The body's memory belongs to the client once the handler returns: copy it.
            var delivery = new Delivery(received.Exchange, received.BasicProperties, Encoding.UTF8.GetString(received.Body.Span));
            await deliveries.Writer.WriteAsync(delivery);
            await channel.BasicAckAsync(received.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(Queue, autoAck: false, consumer);

        const string title = "Downstream subscriber";
        var acme = _platform.Sandbox.ClientWithKey(AcmeKey);
        var created = await (await acme.CreateProductionTest(AcmeBank, new { title, providerIds = new[] { "mitid", "bankidse" }, maxStamps = 2 }))
            .ShouldBeJson(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;

        var ofThisRequest = new List<Delivery>();
        using (var deadline = new CancellationTokenSource(Patience))
        {
            try
            {
                while (!ofThisRequest.Any(d => d.Exchange == Exchange("ChallengeScheduled")))
                {
                    var delivery = await deliveries.Reader.ReadAsync(deadline.Token);
                    output.WriteLine($"{delivery.Exchange}: {delivery.Body}");
                    if (delivery.Message.TryGetProperty("requestId", out var requestId) && requestId.GetString() == id)
                        ofThisRequest.Add(delivery);
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Gave up after {Patience.TotalSeconds} s waiting for ChallengeScheduled of {id}; received for it: " +
                            string.Join(", ", ofThisRequest.Select(d => d.Exchange)));
            }
        }

        Assert.Equal([Exchange("ChallengeRequested"), Exchange("ChallengeScheduled")], ofThisRequest.Select(d => d.Exchange));
        var (requested, scheduled) = (ofThisRequest[0], ofThisRequest[1]);

        AssertEnvelope(requested, "ChallengeRequested");
        Assert.Equal(id, requested.Message.GetProperty("requestId").GetString());
        Assert.Equal(AcmeBank, requested.Message.GetProperty("clientId").GetString());
        Assert.Equal("ws_acme", requested.Message.GetProperty("workspaceId").GetString());
        var payload = requested.Message.GetProperty("payload");
        Assert.Equal(title, payload.GetProperty("title").GetString());
        Assert.Equal(["mitid", "bankidse"], payload.GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(2, payload.GetProperty("maxStampClaims").GetInt32());
        Assert.Equal("Acme Bank", payload.GetProperty("hostName").GetString());
        Assert.True(DateTimeOffset.TryParse(requested.Message.GetProperty("requestedAt").GetString(), out _));

        // The relay publishes the stored event's id as the MessageId: what a subscriber deduplicates on.
        await using (var session = _platform.Store.QuerySession())
        {
            var stored = (await session.Events.FetchStreamAsync(id)).First();
            Assert.Equal(stored.Id, Guid.Parse(requested.Envelope.GetProperty("messageId").GetString()!));
        }

        AssertEnvelope(scheduled, "ChallengeScheduled");
        Assert.Equal(id, scheduled.Message.GetProperty("requestId").GetString());
        Assert.Equal(AcmeBank, scheduled.Message.GetProperty("clientId").GetString());
        Assert.Equal("ws_acme", scheduled.Message.GetProperty("workspaceId").GetString());
        var challengeId = scheduled.Message.GetProperty("challengeId").GetString();
        Assert.StartsWith("chl_", challengeId);
        var challenge = scheduled.Message.GetProperty("challenge");
        Assert.Equal(challengeId, challenge.GetProperty("id").GetString());
        Assert.Equal(title, challenge.GetProperty("title").GetString());
        Assert.Equal("Acme Bank", challenge.GetProperty("sponsor").GetString()); // the bus event keeps tpas-backend's string
        Assert.Equal(["mitid", "bankidse"], challenge.GetProperty("sources").EnumerateArray().Select(p => p.GetString()));
        // docs/asyncapi.yaml: an outcome carries its request's conversation id.
        Assert.Equal(requested.Envelope.GetProperty("conversationId").GetString(), scheduled.Envelope.GetProperty("conversationId").GetString());
        Assert.Equal(requested.Envelope.GetProperty("messageId").GetString(), scheduled.Envelope.GetProperty("initiatorId").GetString());

        // What the bus said is what the API says.
        var request = await SchedulingTests.WaitForStatusAsync(acme, AcmeBank, id, "scheduled");
        Assert.Equal(challengeId, request.GetProperty("challengeId").GetString());
    }

    private static string Exchange(string record) => $"ProductionTests.Contracts:{record}";

    private static void AssertEnvelope(Delivery delivery, string record)
    {
        var envelope = delivery.Envelope;
        Assert.Equal(ContentType, delivery.Properties.ContentType);
        Assert.Contains($"urn:message:ProductionTests.Contracts:{record}",
            envelope.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
        var messageId = envelope.GetProperty("messageId").GetString();
        Assert.True(Guid.TryParse(messageId, out _), $"{record}: messageId '{messageId}' is not a UUID");
        Assert.Equal(messageId, delivery.Properties.MessageId);
        Assert.True(DateTimeOffset.TryParse(envelope.GetProperty("sentTime").GetString(), out _), $"{record}: sentTime is not a date-time");
        Assert.Equal(JsonValueKind.Object, envelope.GetProperty("headers").ValueKind);
        Assert.Equal(JsonValueKind.Object, envelope.GetProperty("message").ValueKind);
        // A first publish is not a replay: only a republished message carries Replay.
        Assert.False(envelope.GetProperty("headers").TryGetProperty("Replay", out _), $"{record}: a first publish carries a Replay header");
    }
}
