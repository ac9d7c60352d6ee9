namespace ProductionTests.TpasStub.Challenges;

/// <summary>
/// A challenge as tpas-backend answers it. The first ten fields are what the scheduler keeps
/// (ChallengeSnapshot in contracts/); the rest echo the request so tests can check what was sent.
/// </summary>
/// <param name="Id"><c>chl_&lt;32 hex&gt;</c></param>
/// <param name="RequestId">The request id the challenge was created for (its idempotency key).</param>
/// <param name="Sponsor">The request's <c>hostName</c>.</param>
/// <param name="Sources">The request's <c>providerIds</c>.</param>
public sealed record Challenge(
    string Id,
    string RequestId,
    string Title,
    string? Description,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    bool IsActive,
    string ChallengeMode,
    string Sponsor,
    IReadOnlyList<string> Sources,
    int MaxStampClaims,
    string? TargetPlatform,
    bool AllowDuplicateParticipation)
{
    public const string FirstCome = "first_come";
}
