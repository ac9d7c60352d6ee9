using System.Security.Claims;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ProductionTests.Create.Idempotency;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.ProductionTests.Create;

/// <summary>
/// POST: validate, resolve providers, start stream <c>req_&lt;uuid&gt;</c> with ChallengeRequested. The
/// inline projection writes the view, and an Idempotency-Key its record, in the same transaction.
/// Nothing is published here: the committed event is the outbox.
/// </summary>
public static class CreateProductionTestEndpoint
{
    public static async Task<IResult> Handle(
        [FromRoute(Name = "client_id")] string clientId,
        HttpRequest http,
        ClaimsPrincipal user,
        IDocumentStore store,
        IOptions<DeploymentOptions> deployment,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        EventStoreMetrics metrics,
        CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var (key, keyError) = IdempotencyKey.Read(http.Headers);
        if (keyError is not null) return Problem.Invalid(keyError, [keyError]);

        await using var query = store.QuerySession();
        var app = await AppAccess.FindAsync(query, workspaceId, clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        var body = await JsonBody.ReadAsync(http, ct);
        if (body.Refusal is not null) return body.Refusal;
        using var document = body.Document!;

        var validation = CreateProductionTestValidation.Validate(document.RootElement);
        if (validation.Command is not { } command) return Problem.Invalid(validation.Errors[0], validation.Errors);

        var create = new Creation(app, workspaceId, command, deployment.Value.Environment, json.Value.SerializerOptions, clock, metrics);
        if (key is null)
        {
            await using var session = store.LightweightSession();
            return await create.ExecuteAsync(session, record: null, ct);
        }
        return await CreateOnceAsync(store, create, key, IdempotencyKey.Fingerprint(app.Id, document.RootElement), clock, ct);
    }

    /// <summary>
    /// One request per key: a transaction-scoped advisory lock on the key is held from the look-up to
    /// the commit, so a second request with the key while the first is in flight is told so at once,
    /// and one that comes after the commit finds the record and gets the first answer replayed.
    /// </summary>
    private static async Task<IResult> CreateOnceAsync(IDocumentStore store, Creation create, string key, string fingerprint, TimeProvider clock, CancellationToken ct)
    {
        var recordId = IdempotencyRecord.IdFor(create.WorkspaceId, key);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@id)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("id", IdempotencyKey.LockId(recordId));
            if (await lockCommand.ExecuteScalarAsync(ct) is not true)
                return Problem.Of(409, ErrorCodes.IdempotencyRequestInProgress,
                    "A request with this Idempotency-Key is still being processed; retry shortly to get its answer.",
                    new { field = IdempotencyKey.Header }, new Dictionary<string, string> { ["Retry-After"] = "1" });
        }

        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, shouldAutoCommit: true));
        var existing = await session.LoadAsync<IdempotencyRecord>(recordId, ct);
        switch (IdempotencyDecision.Decide(existing, create.App.Id, fingerprint, clock.GetUtcNow()))
        {
            case IdempotencyDecision.Replay(var record):
                return new StoredResponse(record.Status, record.Body, record.Location, Replayed: true);
            case IdempotencyDecision.Conflict(var reason):
                return Problem.Of(409, ErrorCodes.IdempotencyKeyConflict, reason, new { field = IdempotencyKey.Header });
            case IdempotencyDecision.Proceed(var reuse):
                return await create.ExecuteAsync(session, new PendingRecord(recordId, key, fingerprint, reuse), ct);
            default:
                throw new InvalidOperationException("Unknown idempotency decision.");
        }
    }

    private sealed record PendingRecord(string Id, string Key, string Fingerprint, bool Reuse);

    /// <summary>Eligibility, the event, and (with a key) the record; one SaveChanges commits them together.</summary>
    private sealed record Creation(App App, string WorkspaceId, CreateProductionTest Command, string Environment, JsonSerializerOptions Json, TimeProvider Clock, EventStoreMetrics Metrics)
    {
        public async Task<IResult> ExecuteAsync(IDocumentSession session, PendingRecord? record, CancellationToken ct)
        {
            var candidates = (Command.ProviderIds ?? []).Concat(App.ProviderIds).Distinct().ToArray();
            var registered = (await session.LoadManyAsync<Provider>(ct, candidates)).ToDictionary(p => p.Id);
            var eligibility = ProviderEligibility.Resolve(Command.ProviderIds, App, registered, Environment);
            if (eligibility is not ProviderEligibility.Resolved { ProviderIds: var providerIds })
                return ProviderProblem(eligibility, App, Environment);

            var requestId = $"req_{Guid.CreateVersion7()}";
            var now = Clock.GetUtcNow();
            var requested = new ChallengeRequested(
                requestId, App.Id, WorkspaceId,
                new ChallengePayload(Command.Title, Command.Description, providerIds, Command.MaxStamps,
                    Command.TargetPlatform, Command.AllowDuplicateParticipation, App.Name),
                now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)));
            session.Events.StartStream<ChallengeRequestView>(requestId, requested);
            if (System.Diagnostics.Activity.Current?.Id is { } traceparent) session.SetHeader(Relay.ChallengeRequestedRelay.TraceHeader, traceparent);
            System.Diagnostics.Activity.Current?.SetTag("production_tests.request_id", requestId);

            var location = $"/connect/v1/apps/{Uri.EscapeDataString(App.Id)}/production-tests/{requestId}";
            var body = JsonSerializer.Serialize(ChallengeRequestResponse.From(ChallengeRequestView.From(requested)), Json);
            if (record is not null)
            {
                var stored = new IdempotencyRecord(record.Id, WorkspaceId, record.Key, App.Id, record.Fingerprint, requestId,
                    StatusCodes.Status201Created, body, location, now, now + IdempotencyKey.Lifetime);
                if (record.Reuse) session.Store(stored);
                else session.Insert(stored);
            }

            await session.SaveChangesAsync(ct);
            Metrics.Created(App.Id);
            return new StoredResponse(StatusCodes.Status201Created, body, location, Replayed: false);
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
