using Microsoft.Extensions.Options;
using ProductionTests.TpasStub.Bookings;
using ProductionTests.TpasStub.Faults;
using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Challenges;

/// <summary>
/// POST /v1/challenges. Order: key and body checks (400), the error-rate roll (503), an earlier
/// challenge for the key (200), refusal knobs (422), creation (201, or 503 when the lost-answer roll says so). A replay is answered before the
/// refusal knobs because the challenge already exists; refusals and 503s store nothing, so a retry
/// after the knob is cleared creates the challenge.
/// </summary>
public static class CreateChallengeEndpoint
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static async Task<IResult> Handle(
        HttpContext http,
        ChallengeStore store,
        FaultSettings faults,
        IOptions<ChallengeOptions> options,
        TimeProvider clock,
        BookingLedger bookings,
        ILoggerFactory loggers)
    {
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (string.IsNullOrWhiteSpace(key))
            return Problem.Of(400, Problem.IdempotencyKeyRequired, $"The '{IdempotencyKeyHeader}' header is required; send the request id.");

        var body = await JsonBody.ReadAsync<CreateChallengeBody>(http, Problem.InvalidChallenge);
        if (body.Refusal is not null) return body.Refusal;
        if (CreateChallengeValidation.Refusal(body.Value!, key) is { } invalid)
            return Problem.Of(400, Problem.InvalidChallenge, invalid);
        var request = body.Value!;

        if (faults.RollError())
            return Problem.Unavailable("Simulated failure (Faults:ErrorRate); nothing was created.");

        if (store.FindByRequestId(key) is { } earlier) return TypedResults.Ok(earlier);

        if (faults.Refusal(request.Title!, request.ProviderIds!) is { } refusal)
            return Problem.Of(422, Problem.ChallengeRefused, refusal);

        var (challenge, created) = store.GetOrCreate(key, () => New(key, request, clock.GetUtcNowMilliseconds(), options.Value.ExpiresAfter));
        if (!created) return TypedResults.Ok(challenge);
        bookings.Created(key, challenge.Id);
        if (faults.RollLostAnswer())
        {
            bookings.AnswerLost(key);
            if (faults.Current.LostAnswerDelayMs is > 0 and var delay) await Task.Delay(TimeSpan.FromMilliseconds(delay), clock, http.RequestAborted);
            return Problem.Unavailable("Simulated lost answer (Faults:LostAnswerRate): the challenge was created, but this answer says otherwise.");
        }

        loggers.CreateLogger(typeof(CreateChallengeEndpoint).FullName!).LogDebug(
            "Created challenge {ChallengeId} for request {RequestId}", challenge.Id, challenge.RequestId);
        return TypedResults.Created($"/v1/challenges/{challenge.Id}", challenge);
    }

    private static Challenge New(string requestId, CreateChallengeBody body, DateTimeOffset createdAt, TimeSpan expiresAfter) =>
        new(
            $"chl_{Guid.NewGuid():N}",
            requestId,
            body.Title!,
            body.Description,
            createdAt + expiresAfter,
            createdAt,
            CompletedAt: null,
            IsActive: true,
            Challenge.FirstCome,
            body.HostName!,
            body.ProviderIds!.ToList(),
            body.MaxStampClaims!.Value,
            body.TargetPlatform,
            body.AllowDuplicateParticipation ?? false);
}
