using Microsoft.AspNetCore.Mvc;

namespace ProductionTests.TpasStub.Infrastructure;

/// <summary>problem+json answers whose <c>title</c> is a stable code, as tpas-backend's are.</summary>
public static class Problem
{
    public const string InvalidChallenge = "INVALID_CHALLENGE";
    public const string IdempotencyKeyRequired = "IDEMPOTENCY_KEY_REQUIRED";
    public const string ChallengeRefused = "CHALLENGE_REFUSED";
    public const string ChallengeNotFound = "CHALLENGE_NOT_FOUND";
    public const string BackendUnavailable = "BACKEND_UNAVAILABLE";
    public const string InvalidFaults = "INVALID_FAULTS";
    public const string InvalidParticipation = "INVALID_PARTICIPATION";
    public const string ChallengeInactive = "CHALLENGE_INACTIVE";
    public const string ChallengeExpired = "CHALLENGE_EXPIRED";
    public const string ProviderNotInChallenge = "PROVIDER_NOT_IN_CHALLENGE";
    public const string PlatformNotAllowed = "PLATFORM_NOT_ALLOWED";
    public const string DuplicateParticipation = "DUPLICATE_PARTICIPATION";

    public static IResult Of(int status, string code, string detail) =>
        TypedResults.Problem(new ProblemDetails
        {
            Type = $"urn:tpas-stub:error:{code.ToLowerInvariant().Replace('_', '-')}",
            Title = code,
            Status = status,
            Detail = detail,
        });

    public static IResult Unavailable(string detail) => Of(503, BackendUnavailable, detail);

    public static IResult NoChallenge(string id) => Of(404, ChallengeNotFound, $"No challenge has id '{id}'.");
}
