namespace ProductionTests.TpasStub.Participations;

/// <summary>A user's verification on a challenge, as recorded.</summary>
/// <param name="Id"><c>par_&lt;32 hex&gt;</c></param>
/// <param name="CompletionSeconds">How long the user took to verify.</param>
/// <param name="StampClaimed">Whether this participation claimed one of the challenge's <c>maxStampClaims</c> stamps.</param>
public sealed record Participation(
    string Id,
    string ChallengeId,
    string ProviderId,
    string UserId,
    string Platform,
    double CompletionSeconds,
    DateTimeOffset ParticipatedAt,
    bool StampClaimed);
