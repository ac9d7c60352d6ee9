using JasperFx.Events.Projections;
using Marten;

namespace ProductionTests.RequestsApi.Events;

public static class RequestStreamsSetup
{
    /// <summary>The request's events (<see cref="RequestEvents"/>) and its view, projected inline: in the transaction of the event.</summary>
    public static IServiceCollection AddRequestStreams(this IServiceCollection services) =>
        services.ConfigureMarten(options =>
        {
            RequestEvents.AddTo(options);
            options.Projections.Add<ChallengeRequestProjection>(ProjectionLifecycle.Inline);
            options.Schema.For<ChallengeRequestView>()
                .Duplicate(v => v.ClientId)
                .Duplicate(v => v.CreatedAt)
                .Duplicate(v => v.ChallengeId!);
        });
}
