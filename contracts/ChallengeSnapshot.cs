namespace ProductionTests.Contracts;

/// <summary>The challenge as tpas-backend describes it at the moment it was scheduled.</summary>
/// <param name="Id">tpas-backend's challenge id.</param>
/// <param name="Title">The challenge's title.</param>
/// <param name="Description">The challenge's description; null when none.</param>
/// <param name="ExpiresAt">When the challenge stops accepting participations (UTC).</param>
/// <param name="CreatedAt">When tpas-backend created the challenge (UTC).</param>
/// <param name="CompletedAt">When every stamp had been claimed (UTC); null while stamps remain.</param>
/// <param name="IsActive">Whether the challenge accepts participations now.</param>
/// <param name="ChallengeMode">How stamps are handed out; <c>first_come</c> for production tests.</param>
/// <param name="Sponsor">Who hosts the challenge: the app's name.</param>
/// <param name="Sources">The provider ids participants may verify with.</param>
public sealed record ChallengeSnapshot(
    string Id,
    string Title,
    string? Description,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    bool IsActive,
    string ChallengeMode,
    string Sponsor,
    IReadOnlyList<string> Sources);
