namespace ProductionTests.Contracts;

/// <summary>
/// What is sent to tpas-backend to create a production test challenge, exactly as resolved when the
/// request was accepted (providers resolved, defaults applied).
/// </summary>
/// <param name="Title">The challenge's title, 1 to 200 characters.</param>
/// <param name="Description">Free text shown to participants, at most 1000 characters; null when none was given.</param>
/// <param name="ProviderIds">The eID providers participants may verify with, resolved against the app (never empty).</param>
/// <param name="MaxStampClaims">How many stamps may be claimed in all, first come first served (at least 1).</param>
/// <param name="TargetPlatform"><c>ios</c> or <c>android</c>; null when the challenge is not limited to one platform.</param>
/// <param name="AllowDuplicateParticipation">Whether the same user may take part more than once with the same provider.</param>
/// <param name="HostName">The app's name, shown as the challenge's host.</param>
public sealed record ChallengePayload(
    string Title,
    string? Description,
    IReadOnlyList<string> ProviderIds,
    int MaxStampClaims,
    string? TargetPlatform,
    bool AllowDuplicateParticipation,
    string HostName);
