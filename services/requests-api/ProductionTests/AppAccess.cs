using Marten;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.ProductionTests;

/// <summary>
/// An app is visible only to its own workspace: another workspace's app answers exactly as an app
/// that does not exist.
/// </summary>
public static class AppAccess
{
    public static async Task<App?> FindAsync(IQuerySession session, string workspaceId, string clientId, CancellationToken ct)
    {
        var app = await session.LoadAsync<App>(clientId, ct);
        return app is not null && app.WorkspaceId == workspaceId ? app : null;
    }

    public static IResult NotFound(string clientId) => Problem.NotFound($"No app with client id '{clientId}' exists in this workspace.");
}
