using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>GET /connect/v1/apps/{client_id}/webhook-deliveries and POST .../{delivery_id}/redeliver: the attempt records, for the app owner.</summary>
public static class WebhookDeliveriesEndpoints
{
    public static readonly IReadOnlyList<string> Statuses = ["pending", "delivered", "failed"];
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static async Task<IResult> List([FromRoute(Name = "client_id")] string clientId, [FromQuery] string? status, [FromQuery] int? limit,
        ClaimsPrincipal user, ReferenceDataCache referenceData, WebhookDeliveries deliveries, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);
        if (status is not null && !Statuses.Contains(status)) return Invalid("status", $"status must be one of {string.Join(", ", Statuses)}.");
        if (limit is < 1 or > MaxLimit) return Invalid("limit", $"limit must be from 1 to {MaxLimit}.");
        await deliveries.EnsureSchemaAsync(ct);
        return TypedResults.Ok(await deliveries.ListAsync(app.Id, status, null, limit ?? DefaultLimit, ct));
    }

    public static async Task<IResult> Redeliver([FromRoute(Name = "client_id")] string clientId, [FromRoute(Name = "delivery_id")] string deliveryId,
        ClaimsPrincipal user, ReferenceDataCache referenceData, WebhookDeliveries deliveries, WebhookDispatchSignal signal, TimeProvider clock, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);
        await deliveries.EnsureSchemaAsync(ct);
        if (!Guid.TryParse(deliveryId, out var id) || !await deliveries.RedeliverAsync(app.Id, id, clock.GetUtcNow(), ct))
            return Problem.NotFound($"No webhook delivery '{deliveryId}' exists for app '{clientId}'.");
        signal.Set();
        return TypedResults.Accepted((string?)null, (await deliveries.ListAsync(app.Id, null, id, 1, ct)).Single());
    }

    private static IResult Invalid(string field, string message)
    {
        var error = new ValidationError(field, ErrorCodes.ValidationInvalidParameter, message);
        return Problem.Invalid(error, [error]);
    }
}
