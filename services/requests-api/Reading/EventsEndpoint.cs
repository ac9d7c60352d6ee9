using ProductionTests.RequestsApi.ReferenceData;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Mvc;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>One event of a request's history.</summary>
/// <param name="Type">The stored event type, e.g. <c>challenge_requested</c>, <c>challenge_failed_v2</c>.</param>
/// <param name="Version">Its position in the request's stream, from 1.</param>
/// <param name="Sequence">Its position in the whole store.</param>
/// <param name="Data">The event as the current contract record (older versions upcast).</param>
public sealed record RequestEvent(long Sequence, long Version, string Type, DateTimeOffset Timestamp, object Data);

/// <summary>GET .../{id}/events: the request's audit trail, oldest first.</summary>
public static class EventsEndpoint
{
    public static async Task<IResult> Handle([FromRoute(Name = "client_id")] string clientId, string id, ClaimsPrincipal user, IQuerySession session, ReferenceDataCache referenceData, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var view = AppAccess.IsPlausibleId(id) ? await session.LoadAsync<ChallengeRequestView>(id, ct) : null;
        if (view is null || view.ClientId != app.Id)
            return Problem.NotFound($"No production test '{id}' exists for app '{clientId}'.");

        var events = await session.Events.FetchStreamAsync(id, token: ct);
        return TypedResults.Ok(events.Select(e => new RequestEvent(e.Sequence, e.Version, e.EventTypeName, e.Timestamp, e.Data)).ToList());
    }
}
