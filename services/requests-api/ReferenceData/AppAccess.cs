using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.ReferenceData;

/// <summary>
/// An app is visible only to its own workspace: another workspace's app answers exactly as an app
/// that does not exist.
/// </summary>
public static class AppAccess
{
    public static async Task<App?> FindAsync(ReferenceDataCache referenceData, string workspaceId, string clientId, CancellationToken ct)
    {
        if (!IsPlausibleId(clientId)) return null;
        var app = await referenceData.LoadAsync<App>(clientId, ct);
        return app is not null && app.WorkspaceId == workspaceId ? app : null;
    }

    /// <summary>
    /// An id from the address that cannot name anything (control characters such as NUL, which
    /// PostgreSQL text refuses, or absurd lengths) is simply not found, without asking the database.
    /// </summary>
    public static bool IsPlausibleId(string id) => id.Length is > 0 and <= 200 && !id.Any(char.IsControl);

    public static IResult NotFound(string clientId) => Problem.NotFound($"No app with client id '{clientId}' exists in this workspace.");
}
