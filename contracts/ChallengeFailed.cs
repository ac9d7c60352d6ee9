namespace ProductionTests.Contracts;

/// <summary>
/// Version 1. The request could not be scheduled and will not be retried by the system.
/// At most one outcome (this or <see cref="ChallengeScheduled"/>) is recorded per request.
/// </summary>
/// <param name="RequestId">The request this outcome belongs to.</param>
/// <param name="ClientId">The app's client id.</param>
/// <param name="WorkspaceId">The workspace that owns the app.</param>
/// <param name="ReasonCode">A stable, machine-readable code, e.g. <c>CHALLENGE_REFUSED</c> or <c>BACKEND_UNAVAILABLE</c>.</param>
/// <param name="Reason">A human-readable explanation.</param>
/// <param name="FailedAt">When the failure was decided (UTC).</param>
public sealed record ChallengeFailed(
    string RequestId,
    string ClientId,
    string WorkspaceId,
    string ReasonCode,
    string Reason,
    DateTimeOffset FailedAt);
