using JasperFx.Events.Projections;
using Marten;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.RequestsApi.Events;

public static class RequestStreamsSetup
{
    /// <summary>The request's events (<see cref="RequestEvents"/>) and its view, projected inline: in the transaction of the event.</summary>
    public static IServiceCollection AddRequestStreams(this IServiceCollection services) =>
        services.ConfigureMarten(options =>
        {
            RequestEvents.AddTo(options);
            options.Projections.Add<ChallengeRequestProjection>(ProjectionLifecycle.Inline);
            // The list's order is (created_at, id) newest first within an app: a page of it is a range of these
            // indexes, read backwards, so a page costs the same whatever the app's size (docs/decisions/0013).
            options.Schema.For<ChallengeRequestView>()
                .Duplicate(v => v.ClientId, configure: index => index.Columns = ["client_id", "created_at", "id"])
                .Duplicate(v => v.Status, configure: index => index.Columns = ["client_id", "status", "created_at", "id"])
                .Duplicate(v => v.CreatedAt)
                .Duplicate(v => v.ChallengeId!);
            AppListVersions.AddTo(options);
        });
}
