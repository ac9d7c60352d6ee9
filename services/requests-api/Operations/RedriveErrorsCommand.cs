using JasperFx.CommandLine;
using ProductionTests.ServiceDefaults;
using RabbitMQ.Client;
using Spectre.Console;

namespace ProductionTests.RequestsApi.Operations;

public sealed class RedriveErrorsInput : NetCoreInput
{
    [Description("The queue whose _error queue is drained back into it, e.g. scheduler-challenge-requested")]
    public string Queue { get; set; } = "";

    [Description("Move at most this many messages (default: all)"), FlagAlias("limit", true)]
    public int LimitFlag { get; set; } = int.MaxValue;
}

/// <summary>
/// Moves messages from <c>{queue}_error</c> back to <c>{queue}</c> once their cause is fixed. Each is
/// acknowledged in the error queue only after the broker confirmed its copy, so none is lost; a crash
/// in between leaves a duplicate, which the consumers are idempotent against.
/// </summary>
[Description("Moves messages from a queue's _error queue back to the queue", Name = "redrive-errors")]
public sealed class RedriveErrorsCommand : JasperFxAsyncCommand<RedriveErrorsInput>
{
    public override async Task<bool> Execute(RedriveErrorsInput input)
    {
        using var host = input.BuildHost();
        var rabbit = RabbitMqConnection.Parse(host.Services.GetRequiredService<IConfiguration>().GetConnectionString("RabbitMq"));
        var factory = rabbit.CreateConnectionFactory();
        await using var connection = await factory.CreateConnectionAsync(rabbit.Endpoints()); // any node of a cluster
        var errorQueue = input.Queue + "_error";
        if (!await QueueExistsAsync(connection, input.Queue))
        {
            AnsiConsole.MarkupLine($"[red]There is no queue {Markup.Escape(input.Queue)} on this broker.[/]");
            return false;
        }
        if (!await QueueExistsAsync(connection, errorQueue))
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(input.Queue)} has no error queue: nothing to move.");
            return true;
        }

        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var moved = 0;
        while (moved < input.LimitFlag && await channel.BasicGetAsync(errorQueue, autoAck: false) is { } message)
        {
            var properties = new BasicProperties(message.BasicProperties);
            // Publishing to the default exchange with the queue's name delivers to that queue alone.
            await channel.BasicPublishAsync("", input.Queue, mandatory: true, properties, message.Body);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
            moved++;
        }
        AnsiConsole.MarkupLine($"Moved {moved} messages from {Markup.Escape(errorQueue)} back to {Markup.Escape(input.Queue)}.");
        return true;
    }

    /// <summary>A passive declare only checks that the queue exists; when it does not, the broker closes that channel.</summary>
    private static async Task<bool> QueueExistsAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclarePassiveAsync(queue);
            return true;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }
}
