using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProductionTests.ServiceDefaults;

public static class BusSetup
{
    /// <summary>
    /// MassTransit on the RabbitMQ of <c>ConnectionStrings:RabbitMq</c> (one node or a cluster), the same way
    /// in every service: kebab-case queues, one fanout exchange per message type (named after the contract
    /// record), and endpoints from the registered consumers and their definitions. The bus connects in the
    /// background, so a broker that is down never blocks a service's start-up.
    /// <para>
    /// The consumers' queues, their <c>_error</c> and <c>_skipped</c> queues are quorum queues (replicated on a
    /// cluster, so a node's loss loses no message) unless <c>RabbitMq:QuorumQueues=false</c>: RabbitMQ cannot
    /// change an existing queue's type, so a broker that already has them as classic queues needs them deleted
    /// (empty) first, or that setting (docs/cluster.md).
    /// </para>
    /// <paramref name="brokerIsDegradation"/>: a lost broker makes the bus's health check Degraded rather than
    /// Unhealthy, for a service whose readiness must not depend on the broker (requests-api behind a load balancer).
    /// </summary>
    public static IServiceCollection AddRabbitMqBus(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator> consumers, bool brokerIsDegradation = false)
    {
        var rabbit = RabbitMqConnection.Parse(configuration.GetConnectionString("RabbitMq"));
        var quorumQueues = configuration.GetValue("RabbitMq:QuorumQueues", true);
        services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            if (brokerIsDegradation) bus.ConfigureHealthCheckOptions(health => health.MinimalFailureStatus = HealthStatus.Degraded);
            if (quorumQueues) bus.AddConfigureEndpointsCallback((_, _, endpoint) => UseQuorumQueues(endpoint));
            consumers(bus);
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbit.ConfigureHost(rabbitMq);
                rabbitMq.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>
    /// The endpoint's queue as a quorum queue; MassTransit declares its <c>_error</c> and <c>_skipped</c> queues
    /// with the receive queue's arguments, so they are quorum queues too (a test checks all three).
    /// </summary>
    public static void UseQuorumQueues(IReceiveEndpointConfigurator endpoint)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
    }
}
