namespace ProductionTests.Contracts;

/// <summary>
/// Version 1. tpas-backend accepted the request and created the challenge. At most one outcome
/// (this or <see cref="ChallengeFailed"/>) is recorded per request.
/// </summary>
/// <param name="RequestId">The request this outcome belongs to.</param>
/// <param name="ClientId">The app's client id.</param>
/// <param name="WorkspaceId">The workspace that owns the app.</param>
/// <param name="ChallengeId">tpas-backend's challenge id (equal to <c>Challenge.Id</c>).</param>
/// <param name="Challenge">The challenge as created.</param>
/// <param name="ScheduledAt">When the scheduler learnt of the challenge (UTC).</param>
public sealed record ChallengeScheduled(
    string RequestId,
    string ClientId,
    string WorkspaceId,
    string ChallengeId,
    ChallengeSnapshot Challenge,
    DateTimeOffset ScheduledAt);
