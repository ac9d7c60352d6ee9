using ProductionTests.RequestsApi.ReferenceData;
using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Waiting;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>GET one request and GET the app's list, both from the inline view.</summary>
public static class ReadProductionTestsEndpoints
{
    // With `Prefer: wait=N` a pending request is answered as soon as its outcome is recorded, or after N
    // seconds (at most 30) as it then stands. (Plain comments: an XML summary would become the OpenAPI summary.)
    public static async Task<IResult> GetOne([FromRoute(Name = "client_id")] string clientId, string id, HttpContext http,
        ClaimsPrincipal user, IDocumentStore store, ReferenceDataCache referenceData, OutcomeWaiters waiters, TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct)
    {
        var wait = WaitPreference.Parse(http.Request.Headers["Prefer"]);
        http.Response.Headers.Vary = "Prefer";
        System.Diagnostics.Activity.Current?.SetTag(ServiceDefaults.Telemetry.RequestIdTag, id);
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
        // The ETag is the digest of the very bytes answered, so it changes exactly when they do (an outcome, a
        // rebuild that rewrites the view); with Prefer: wait it is the answer's at the end of the wait: a caller
        // that already holds the pending request and is still waiting when the time is up gets 304.
        var body = JsonSerializer.SerializeToUtf8Bytes(ChallengeRequestResponse.From(view), json.Value.SerializerOptions);
        var etag = $"\"r1-{Convert.ToHexStringLower(SHA256.HashData(body), 0, 12)}\"";
        if (ConditionalGet.NotModified(http, etag)) return ConditionalGet.NotModifiedResult();
        return TypedResults.Bytes(body, "application/json; charset=utf-8");
    }

    private static async Task<ChallengeRequestView?> LoadAsync(IDocumentStore store, string id, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ChallengeRequestView>(id, ct);
    }

    // Newest first; requests created in the same millisecond are ordered by their time-ordered id. Pages, filters and
    // conditional GET are opt-in (ListQuery); without parameters the body is the whole list, as it always was.
    public static async Task<IResult> List([FromRoute(Name = "client_id")] string clientId, HttpContext http, ClaimsPrincipal user,
        IDocumentStore store, ListConnections connections, ListVersionReader versions, ListAnswerCache answers, ReferenceDataCache referenceData,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct)
    {
        var (query, error) = ListQuery.Parse(http.Request.Query);
        if (error is not null) return Infrastructure.Problem.Invalid(error, [error]);
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        // First the app's list version (one row, read for many callers at once): unchanged since the caller's ETag, the
        // answer is a 304; unchanged since this question was last answered here, it is that answer again.
        var version = await versions.ReadAsync(app.Id, ct);
        if (ConditionalGet.NotModified(http, ListETag(version, query!))) return ConditionalGet.NotModifiedResult();
        var canonical = query!.Canonical(query.After);
        if (answers.Find(app.Id, canonical, version) is { } kept) return Answer(http, kept.Body, kept.NextQuery);

        var (read, page) = await ListReader.ReadAsync(store, connections, app.Id, query, ct);
        ConditionalGet.NotModified(http, ListETag(read, query));
        var next = page.Next is { } cursor ? query.Canonical(cursor) : null;
        if (page.Views.Count > ListQuery.MaxLimit)
        {
            SetNextLink(http, next);
            return new ListBody(page.Views, json.Value.SerializerOptions);
        }
        var body = ListBody.ToBytes(page.Views, json.Value.SerializerOptions);
        answers.Keep(app.Id, canonical, new KeptListAnswer(read, body, next));
        return Answer(http, body, next);
    }

    private static IResult Answer(HttpContext http, byte[] body, string? nextQuery)
    {
        SetNextLink(http, nextQuery);
        return TypedResults.Bytes(body, ListBody.ContentType);
    }

    private static void SetNextLink(HttpContext http, string? nextQuery)
    {
        if (nextQuery is not null) http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?{nextQuery}>; rel=\"next\"";
    }

    // The app's list version changes in the transaction of every change to one of its views (AppListVersions), and
    // only then; the digest tells the parameters apart, and l1 is the representation: bump it when an item's shape changes.
    private static string ListETag(long version, ListQuery query) => $"\"l1-{version}-{query.Digest()}\"";
}
