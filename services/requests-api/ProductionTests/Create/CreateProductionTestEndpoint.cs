using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Microsoft.Extensions.Options;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.ProductionTests.Create;

/// <summary>
/// POST: validate, resolve providers, start stream <c>req_&lt;uuid&gt;</c> with ChallengeRequested.
/// The inline projection writes the view in the same transaction. Nothing is published here: the
/// committed event is the outbox.
/// </summary>
public static class CreateProductionTestEndpoint
{
    public static async Task<IResult> Handle(
        [FromRoute(Name = "client_id")] string clientId,
        HttpRequest http,
        ClaimsPrincipal user,
        IDocumentSession session,
        IOptions<DeploymentOptions> deployment,
        TimeProvider clock,
        CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var app = await AppAccess.FindAsync(session, workspaceId, clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var body = await JsonBody.ReadAsync(http, ct);
        if (body.Refusal is not null) return body.Refusal;
        using var document = body.Document!;

        var validation = CreateProductionTestValidation.Validate(document.RootElement);
        if (validation.Command is not { } command) return Problem.Invalid(validation.Errors[0], validation.Errors);

        var candidates = (command.ProviderIds ?? []).Concat(app.ProviderIds).Distinct().ToArray();
        var registered = (await session.LoadManyAsync<Provider>(ct, candidates)).ToDictionary(p => p.Id);
        var eligibility = ProviderEligibility.Resolve(command.ProviderIds, app, registered, deployment.Value.Environment);
        if (eligibility is not ProviderEligibility.Resolved { ProviderIds: var providerIds })
            return ProviderProblem(eligibility, app, deployment.Value.Environment);

        var requestId = $"req_{Guid.CreateVersion7()}";
        var now = clock.GetUtcNow();
        var requested = new ChallengeRequested(
            requestId, app.Id, workspaceId,
            new ChallengePayload(command.Title, command.Description, providerIds, command.MaxStamps,
                command.TargetPlatform, command.AllowDuplicateParticipation, app.Name),
            now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)));

        session.Events.StartStream<ChallengeRequestView>(requestId, requested);
        await session.SaveChangesAsync(ct);

        return TypedResults.Created(
            $"/connect/v1/apps/{Uri.EscapeDataString(app.Id)}/production-tests/{requestId}",
            ChallengeRequestResponse.From(ChallengeRequestView.From(requested)));
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
