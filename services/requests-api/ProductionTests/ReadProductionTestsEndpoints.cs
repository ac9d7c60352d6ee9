using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using ProductionTests.RequestsApi.Authentication;

namespace ProductionTests.RequestsApi.ProductionTests;

/// <summary>GET one request and GET the app's list, both from the inline view.</summary>
public static class ReadProductionTestsEndpoints
{
    public static async Task<IResult> GetOne([FromRoute(Name = "client_id")] string clientId, string id, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(session, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var view = await session.LoadAsync<ChallengeRequestView>(id, ct);
        return view is not null && view.ClientId == app.Id
            ? TypedResults.Ok(ChallengeRequestResponse.From(view))
            : Infrastructure.Problem.NotFound($"No production test '{id}' exists for app '{clientId}'.");
    }

    /// <summary>Newest first; requests created in the same millisecond are ordered by their time-ordered id.</summary>
    public static async Task<IResult> List([FromRoute(Name = "client_id")] string clientId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(session, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var views = await session.Query<ChallengeRequestView>()
            .Where(v => v.ClientId == app.Id)
            .OrderByDescending(v => v.CreatedAt)
            .ThenByDescending(v => v.Id)
            .ToListAsync(ct);
        return TypedResults.Ok(views.Select(ProductionTestListItem.From).ToList());
    }
}
