using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>An app's webhook configuration as the API answers it.</summary>
/// <param name="Url">Where deliveries go; absent until configured.</param>
/// <param name="EventTypes">The events delivered: <c>production_test.requested</c>, <c>.scheduled</c>, <c>.failed</c>.</param>
/// <param name="Secret">The signing secret's id and age (never the secret); absent until a URL was configured.</param>
/// <param name="SigningSecret">The new signing secret, in the answer that created it and only there: store it now.</param>
/// <param name="Version">The configuration's stream version (its history has one event per change).</param>
public sealed record WebhookConfigResponse(
    string ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url,
    bool Enabled,
    IReadOnlyList<string> EventTypes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WebhookSecretInfo? Secret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SigningSecret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? UpdatedAt,
    long Version)
{
    public static WebhookConfigResponse From(string clientId, WebhookConfigView? view, DateTimeOffset now, string? signingSecret = null)
    {
        if (view is null) return new(clientId, null, false, WebhookEventTypes.All, null, null, null, 0);
        var current = view.Secrets.Count > 0 ? view.Secrets[^1] : null;
        var previous = view.Secrets.Count > 1 && view.Secrets[0].ValidUntil > now ? view.Secrets[0].ValidUntil : null;
        return new(clientId, view.Url, view.Enabled, view.EventTypes,
            current is null ? null : new WebhookSecretInfo(current.SecretId, current.IssuedAt, previous), signingSecret, view.UpdatedAt, view.Version);
    }
}

/// <param name="Id">The current secret's id (<c>whs_...</c>).</param>
/// <param name="PreviousSecretValidUntil">After a rotation: until when the previous secret is still valid and deliveries carry both signatures.</param>
public sealed record WebhookSecretInfo(
    string Id,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PreviousSecretValidUntil);

/// <summary>PATCH body: every member optional (defaults, so the OpenAPI document requires none); <c>null</c> counts as omitted.</summary>
/// <param name="Url">An https URL on a public address.</param>
/// <param name="Enabled">Deliver (true) or not (false). Enabling needs a URL.</param>
/// <param name="EventTypes">A non-empty subset of the three event types, without repeats.</param>
public sealed record WebhookConfigPatch(string? Url = null, bool? Enabled = null, IReadOnlyList<string>? EventTypes = null);

/// <summary>GET, PATCH /connect/v1/apps/{client_id}/webhook-config and POST .../rotate-secret.</summary>
public static class WebhookConfigEndpoints
{
    public static async Task<IResult> Get([FromRoute(Name = "client_id")] string clientId, ClaimsPrincipal user, ReferenceDataCache referenceData,
        IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);
        var view = await session.LoadAsync<WebhookConfigView>(WebhookConfigView.StreamId(app.Id), ct);
        return TypedResults.Ok(WebhookConfigResponse.From(app.Id, view, clock.GetUtcNow()));
    }

    public static async Task<IResult> Patch([FromRoute(Name = "client_id")] string clientId, HttpRequest http, ClaimsPrincipal user, ReferenceDataCache referenceData,
        IDocumentStore store, SecretBox secrets, WebhookUrlPolicy policy, TimeProvider clock, ILogger<WebhookConfigPatch> logger, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var app = await AppAccess.FindAsync(referenceData, workspaceId, clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var body = await JsonBody.ReadAsync(http, ct);
        if (body.Refusal is not null) return body.Refusal;
        using var document = body.Document!;
        var (patch, error) = Read(document.RootElement);
        if (error is not null) return Problem.Invalid(error, [error]);
        if (patch!.Url is { } url && await policy.RefusalAsync(url, ct) is { } refusal)
            return Invalid("url", refusal);
        if (!secrets.Configured) return NotConfigured();

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<WebhookConfigView>(WebhookConfigView.StreamId(app.Id), ct);
        var current = stream.Aggregate;
        var now = clock.GetUtcNow();
        var next = new WebhookConfigured(app.Id, workspaceId, patch.Url ?? current?.Url, patch.Enabled ?? current?.Enabled ?? (patch.Url is not null),
            patch.EventTypes ?? current?.EventTypes ?? WebhookEventTypes.All, now);
        if (next.Enabled && next.Url is null) return Invalid("enabled", "A webhook can be enabled only with a url.");

        stream.AppendOne(next);
        string? issued = null;
        if (next.Url is not null && (current?.Secrets.Count ?? 0) == 0)
        {
            issued = SecretBox.NewSecret();
            var secretId = $"whs_{Guid.CreateVersion7():N}";
            stream.AppendOne(new WebhookSecretIssued(app.Id, secretId, secrets.Seal(issued, app.Id, secretId), now, null));
        }
        if (await SaveAsync(session, ct) is { } conflict) return conflict;
        logger.LogInformation("Webhook configuration of {ClientId} changed: enabled {Enabled}, {EventTypes}", app.Id, next.Enabled, string.Join(",", next.EventTypes));
        var view = await session.LoadAsync<WebhookConfigView>(WebhookConfigView.StreamId(app.Id), ct);
        return TypedResults.Ok(WebhookConfigResponse.From(app.Id, view, now, issued));
    }

    public static async Task<IResult> RotateSecret([FromRoute(Name = "client_id")] string clientId, ClaimsPrincipal user, ReferenceDataCache referenceData,
        IDocumentStore store, SecretBox secrets, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookConfigPatch> logger, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);
        if (!secrets.Configured) return NotConfigured();

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<WebhookConfigView>(WebhookConfigView.StreamId(app.Id), ct);
        if (stream.Aggregate?.Url is null)
            return Problem.Of(409, ErrorCodes.ResourceConflict, "The app has no webhook URL yet: PATCH the webhook-config first (that issues the first secret).");
        var now = clock.GetUtcNow();
        var issued = SecretBox.NewSecret();
        var secretId = $"whs_{Guid.CreateVersion7():N}";
        stream.AppendOne(new WebhookSecretIssued(app.Id, secretId, secrets.Seal(issued, app.Id, secretId), now,
            stream.Aggregate.Secrets.Count > 0 ? now.AddHours(options.Value.SecretGraceHours) : null));
        if (await SaveAsync(session, ct) is { } conflict) return conflict;
        logger.LogInformation("Webhook signing secret of {ClientId} rotated to {SecretId}", app.Id, secretId);
        var view = await session.LoadAsync<WebhookConfigView>(WebhookConfigView.StreamId(app.Id), ct);
        return TypedResults.Ok(WebhookConfigResponse.From(app.Id, view, now, issued));
    }

    private static async Task<IResult?> SaveAsync(IDocumentSession session, CancellationToken ct)
    {
        try
        {
            await session.SaveChangesAsync(ct);
            return null;
        }
        catch (Exception e) when (e is ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException || e.InnerException is ConcurrencyException)
        {
            return Problem.Of(409, ErrorCodes.ResourceConflict, "The webhook configuration was changed at the same moment by another request; read it and try again.");
        }
    }

    private static IResult NotConfigured() =>
        Problem.Of(503, ErrorCodes.ProviderUnavailable, "Webhooks are not available on this deployment: no key to seal signing secrets is configured (Webhooks:SecretKey).");

    private static IResult Invalid(string field, string message)
    {
        var error = new ValidationError(field, ErrorCodes.ValidationInvalidParameter, message);
        return Problem.Invalid(error, [error]);
    }

    /// <summary>The PATCH body's rules: an object of the three optional members, each of its type.</summary>
    public static (WebhookConfigPatch? Patch, ValidationError? Error) Read(JsonElement body)
    {
        static ValidationError Bad(string field, string message) => new(field, ErrorCodes.ValidationInvalidParameter, message);
        if (body.ValueKind != JsonValueKind.Object) return (null, Bad("body", "The body must be a JSON object."));
        string? url = null;
        bool? enabled = null;
        List<string>? eventTypes = null;
        foreach (var member in body.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null) continue;
            switch (member.Name)
            {
                case "url":
                    if (member.Value.ValueKind != JsonValueKind.String) return (null, Bad("url", "url must be a string."));
                    url = member.Value.GetString()!;
                    break;
                case "enabled":
                    if (member.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return (null, Bad("enabled", "enabled must be true or false."));
                    enabled = member.Value.GetBoolean();
                    break;
                case "eventTypes":
                    if (member.Value.ValueKind != JsonValueKind.Array) return (null, Bad("eventTypes", "eventTypes must be an array of event types."));
                    eventTypes = [];
                    foreach (var item in member.Value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String || !WebhookEventTypes.All.Contains(item.GetString()))
                            return (null, Bad("eventTypes", $"eventTypes may hold only {string.Join(", ", WebhookEventTypes.All)}."));
                        if (eventTypes.Contains(item.GetString()!)) return (null, Bad("eventTypes", $"eventTypes names '{item.GetString()}' twice."));
                        eventTypes.Add(item.GetString()!);
                    }
                    if (eventTypes.Count == 0) return (null, Bad("eventTypes", "eventTypes must name at least one event type (disable the webhook instead)."));
                    break;
                default:
                    return (null, Bad(member.Name, $"Unknown member '{member.Name}': the body may hold url, enabled and eventTypes."));
            }
        }
        return (new WebhookConfigPatch(url, enabled, eventTypes), null);
    }
}
