using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ProductionTests.ServiceDefaults;

public static class BusSetup
{
    /// <summary>
    /// MassTransit on the RabbitMQ of <c>ConnectionStrings:RabbitMq</c>, the same way in every service:
    /// kebab-case queues, one fanout exchange per message type (named after the contract record), and
    /// endpoints from the registered consumers and their definitions. The bus connects in the background,
    /// so a broker that is down never blocks a service's start-up.
    /// </summary>
    public static IServiceCollection AddRabbitMqBus(this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> consumers)
    {
        var rabbit = RabbitMqConnection.Parse(configuration.GetConnectionString("RabbitMq"));
        services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            consumers(bus);
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbit.ConfigureHost(rabbitMq);
                rabbitMq.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
