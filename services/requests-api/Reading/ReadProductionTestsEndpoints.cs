using ProductionTests.RequestsApi.ReferenceData;
using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using ProductionTests.RequestsApi.Waiting;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>GET one request and GET the app's list, both from the inline view.</summary>
public static class ReadProductionTestsEndpoints
{
    // With `Prefer: wait=N` a pending request is answered as soon as its outcome is recorded, or after N
    // seconds (at most 30) as it then stands. (Plain comments: an XML summary would become the OpenAPI summary.)
    public static async Task<IResult> GetOne([FromRoute(Name = "client_id")] string clientId, string id, HttpContext http,
        ClaimsPrincipal user, IDocumentStore store, ReferenceDataCache referenceData, OutcomeWaiters waiters, TimeProvider clock, CancellationToken ct)
    {
        var wait = WaitPreference.Parse(http.Request.Headers["Prefer"]);
        http.Response.Headers.Vary = "Prefer";
        // Registered before the first read, so an outcome committed after it cannot be missed.
        using var waiter = wait is null ? null : waiters.Register(id);

        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);
        // Each read takes a connection only for its own duration: a waiting caller holds none.
        var view = AppAccess.IsPlausibleId(id) ? await LoadAsync(store, id, ct) : null;
        if (view is null || view.ClientId != app.Id)
            return Infrastructure.Problem.NotFound($"No production test '{id}' exists for app '{clientId}'.");

        if (waiter is not null)
        {
            http.Response.Headers["Preference-Applied"] = $"wait={wait}";
            var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(wait!.Value);
            TimeSpan remaining;
            while (view.Status == ChallengeRequestView.Pending && (remaining = deadline - clock.GetUtcNow()) > TimeSpan.Zero)
            {
                await waiter.WaitAsync(remaining, ct);
                // Read on a wake-up, and once more at the deadline in case a notification was lost.
                view = await LoadAsync(store, id, ct) ?? view;
            }
        }
        return TypedResults.Ok(ChallengeRequestResponse.From(view));
    }

    private static async Task<ChallengeRequestView?> LoadAsync(IDocumentStore store, string id, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ChallengeRequestView>(id, ct);
    }

    // Newest first; requests created in the same millisecond are ordered by their time-ordered id.
    public static async Task<IResult> List([FromRoute(Name = "client_id")] string clientId, ClaimsPrincipal user, IQuerySession session, ReferenceDataCache referenceData, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var views = await session.Query<ChallengeRequestView>()
            .Where(v => v.ClientId == app.Id)
            .OrderByDescending(v => v.CreatedAt)
            .ThenByDescending(v => v.Id)
            .ToListAsync(ct);
        return TypedResults.Ok(views.Select(ProductionTestListItem.From).ToList());
    }
}
