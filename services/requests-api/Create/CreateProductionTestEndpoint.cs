using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Create.Idempotency;
using ProductionTests.RequestsApi.ReferenceData;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.RequestsApi.Create;

/// <summary>
/// POST: validate, resolve providers, start stream <c>req_&lt;uuid&gt;</c> with ChallengeRequested. The
/// inline projection writes the view, and an Idempotency-Key its record, in the same transaction
/// (<see cref="CreateWriter"/> commits concurrent creates together). Nothing is published here: the
/// committed event is the outbox.
/// </summary>
public static class CreateProductionTestEndpoint
{
    public static async Task<IResult> Handle(
        [FromRoute(Name = "client_id")] string clientId,
        HttpRequest http,
        ClaimsPrincipal user,
        ReferenceDataCache referenceData,
        CreateWriter writer,
        IOptions<DeploymentOptions> deployment,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        EventStoreMetrics metrics,
        CancellationToken ct)
    {
        var result = await DecideAsync(clientId, http, user, referenceData, writer, deployment, json, clock, metrics, ct);
        metrics.CreateAnswered(result switch
        {
            StoredResponse { Replayed: false } => "created",
            StoredResponse => "replayed",
            IStatusCodeHttpResult { StatusCode: 409 } => "conflict",
            IStatusCodeHttpResult { StatusCode: >= 500 } => "unavailable",
            _ => "refused",
        });
        return result;
    }

    private static async Task<IResult> DecideAsync(string clientId, HttpRequest http, ClaimsPrincipal user, ReferenceDataCache referenceData,
        CreateWriter writer, IOptions<DeploymentOptions> deployment, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock, EventStoreMetrics metrics, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var (key, keyError) = IdempotencyKey.Read(http.Headers);
        if (keyError is not null) return Problem.Invalid(keyError, [keyError]);

        var app = await AppAccess.FindAsync(referenceData, workspaceId, clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var body = await JsonBody.ReadAsync(http, ct);
        if (body.Refusal is not null) return body.Refusal;
        using var document = body.Document!;

        var validation = CreateProductionTestValidation.Validate(document.RootElement);
        if (validation.Command is not { } command) return Problem.Invalid(validation.Errors[0], validation.Errors);

        var environment = deployment.Value.Environment;
        var candidates = (command.ProviderIds ?? []).Concat(app.ProviderIds).Distinct().ToArray();
        var registered = await referenceData.LoadManyAsync<Provider>(candidates, p => p.Id, ct);
        var eligibility = ProviderEligibility.Resolve(command.ProviderIds, app, registered, environment);
        if (eligibility is not ProviderEligibility.Resolved { ProviderIds: var providerIds })
            return ProviderProblem(eligibility, app, environment);

        var requestId = $"req_{Guid.CreateVersion7()}";
        var now = clock.GetUtcNow();
        var requested = new ChallengeRequested(
            requestId, app.Id, workspaceId,
            new ChallengePayload(command.Title, command.Description, providerIds, command.MaxStamps,
                command.TargetPlatform, command.AllowDuplicateParticipation, app.Name),
            now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)));
        System.Diagnostics.Activity.Current?.SetTag(ServiceDefaults.Telemetry.RequestIdTag, requestId);
        var location = $"/connect/v1/apps/{Uri.EscapeDataString(app.Id)}/production-tests/{requestId}";
        var response = JsonSerializer.Serialize(ChallengeRequestResponse.From(ChallengeRequestView.From(requested)), json.Value.SerializerOptions);
        var pendingKey = key is null ? null : new PendingKey(IdempotencyRecord.IdFor(workspaceId, key), key, IdempotencyKey.Fingerprint(app.Id, document.RootElement));

        var outcome = await writer.CommitAsync(new PendingCreate(requested, response, location, System.Diagnostics.Activity.Current?.Id, pendingKey), ct);
        switch (outcome)
        {
            case CreateOutcome.Created:
                metrics.Created(app.Id);
                return new StoredResponse(StatusCodes.Status201Created, response, location, Replayed: false);
            case CreateOutcome.Replayed(var record):
                return new StoredResponse(record.Status, record.Body, record.Location, Replayed: true);
            case CreateOutcome.KeyConflict(var reason):
                return Problem.Of(409, ErrorCodes.IdempotencyKeyConflict, reason, new { field = IdempotencyKey.Header });
            case CreateOutcome.KeyInProgress:
                return Problem.Of(409, ErrorCodes.IdempotencyRequestInProgress,
                    "A request with this Idempotency-Key is still being processed; retry shortly to get its answer.",
                    new { field = IdempotencyKey.Header }, new Dictionary<string, string> { ["Retry-After"] = "1" });
            default:
                return Problem.Of(503, ErrorCodes.ProviderUnavailable, "The service is shutting down; retry shortly.",
                    headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
        }
    }

    private static IResult ProviderProblem(ProviderEligibility.Outcome outcome, App app, string environment)
    {
        if (outcome is ProviderEligibility.Refused refused)
        {
            var names = string.Join(", ", refused.Refusals.Select(r => $"{r.ProviderId} ({r.Reason})"));
            return Problem.Of(400, ErrorCodes.ValidationInvalidParameter,
                $"These providers cannot be used for this app: {names}.",
                new { field = "providerIds", providers = refused.Refusals });
        }
        return Problem.Of(409, ErrorCodes.ResourceConflict,
            $"App {app.Id} has no provider eligible for a production test in {environment}; enable one, or ask for specific providers.",
            new { field = "providerIds", clientId = app.Id, environment });
    }
}

/// <summary>
/// A created request's answer, written from its stored JSON so that a replay is byte for byte the first
/// answer (plus <c>Idempotency-Replayed: true</c>).
/// </summary>
public sealed record StoredResponse(int Status, string Body, string Location, bool Replayed) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = Status;
        http.Response.Headers.Location = Location;
        if (Replayed) http.Response.Headers[IdempotencyKey.ReplayedHeader] = "true";
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(Body, http.RequestAborted);
    }
}
