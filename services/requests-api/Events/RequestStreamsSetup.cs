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
            // The list's order is (created_at, id) newest first within an app: a page of it is a range of one of the
            // two list indexes, read backwards, so a page costs the same whatever the app's size (docs/decisions/0015).
            // Over the duplicated columns (and the status in the JSON, which needs no column of its own).
            options.Schema.For<ChallengeRequestView>()
                .Duplicate(v => v.ClientId)
                .Duplicate(v => v.CreatedAt)
                .Duplicate(v => v.ChallengeId!)
                .Index([v => v.ClientId, v => v.CreatedAt, v => v.Id], index => index.Name = "mt_doc_challengerequestview_idx_list")
                .Index([v => v.ClientId, v => v.Status, v => v.CreatedAt, v => v.Id], index => index.Name = "mt_doc_challengerequestview_idx_list_status");
            AppListVersions.AddTo(options);
        });
}
