using MassTransit;

namespace ProductionTests.RequestsApi.Outcomes;

public static class OutcomesSetup
{
    /// <summary>The writer that appends the scheduler's outcomes; the consumer is added to the bus with <see cref="AddOutcomeConsumer"/>.</summary>
    public static IServiceCollection AddOutcomes(this IServiceCollection services)
    {
        services.AddSingleton<OutcomeWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<OutcomeWriter>());
        return services;
    }

    public static void AddOutcomeConsumer(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ChallengeOutcomeConsumer, ChallengeOutcomeConsumerDefinition>();
}
