using JasperFx.Events;
using MassTransit;
using ProductionTests.RequestsApi.Events;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Operations;

/// <summary>
/// A publish-only bus for the ops commands, apart from the service's own (which would also start
/// consumers). Every message it sends carries <c>Replay: true</c> so subscribers can tell a replay.
/// </summary>
public sealed class OpsBus : IAsyncDisposable
{
    public const string ReplayHeader = "Replay";
    private readonly IBusControl _bus;

    private OpsBus(IBusControl bus) => _bus = bus;

    public static async Task<OpsBus> StartAsync(IConfiguration configuration, CancellationToken ct)
    {
        var rabbit = RabbitMqConnection.Parse(configuration.GetConnectionString("RabbitMq"));
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit.ConfigureHost);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await bus.StartAsync(timeout.Token);
        return new OpsBus(bus);
    }

    /// <summary>Publishes a stored contract event again, its event id as MessageId.</summary>
    public Task RepublishAsync(IEvent @event, CancellationToken ct) =>
        IsContractEvent(@event) ? Publish(@event.Data, @event.Data.GetType(), @event.Id, ct) : Task.CompletedTask;

    public static bool IsContractEvent(IEvent @event) => RequestEvents.Of(@event.Data)?.OnTheBus == true;

    private Task Publish(object message, Type messageType, Guid id, CancellationToken ct) =>
        _bus.Publish(message, messageType, context =>
        {
            context.MessageId = id;
            context.Headers.Set(ReplayHeader, "true");
        }, ct);

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
