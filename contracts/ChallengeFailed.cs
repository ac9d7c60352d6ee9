namespace ProductionTests.Contracts;

/// <summary>
/// Version 2 (version 1 had no <see cref="Retryable"/>). The request could not be scheduled and will
/// not be retried by the system.
/// At most one outcome (this or <see cref="ChallengeScheduled"/>) is recorded per request.
/// </summary>
/// <param name="RequestId">The request this outcome belongs to.</param>
/// <param name="ClientId">The app's client id.</param>
/// <param name="WorkspaceId">The workspace that owns the app.</param>
/// <param name="ReasonCode">A stable, machine-readable code, e.g. <c>CHALLENGE_REFUSED</c> or <c>BACKEND_UNAVAILABLE</c>.</param>
/// <param name="Reason">A human-readable explanation.</param>
/// <param name="FailedAt">When the failure was decided (UTC).</param>
/// <param name="Retryable">Whether asking again later (a new request) may succeed: true for a refusal that can clear
/// (the backend's 409, 423, 425), false for one that will not (400, 422). Added in version 2; absent (false) in version 1 messages.</param>
public sealed record ChallengeFailed(
    string RequestId,
    string ClientId,
    string WorkspaceId,
    string ReasonCode,
    string Reason,
    DateTimeOffset FailedAt,
    bool Retryable = false);
