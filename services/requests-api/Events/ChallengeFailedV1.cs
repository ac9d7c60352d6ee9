using ProductionTests.Contracts;

namespace ProductionTests.RequestsApi.Events;

/// <summary>
/// ChallengeFailed as version 1 stored it (event type <c>challenge_failed</c>), before <c>Retryable</c>.
/// Events are history and never rewritten: Marten upcasts each old event to the current record as it
/// reads it, so old streams still load, project and replay.
///
/// The rule for the next change of an event's shape: keep the old shape here as a record named
/// <c>{Event}V{n}</c>; give the current record the next schema version (stored as <c>{event}_v{n+1}</c>,
/// see RequestEvents); register an upcaster from the old type name that fills the new fields with
/// what the old event meant; test that an old stream still loads and projects (VersioningTests).
/// </summary>
public sealed record ChallengeFailedV1(string RequestId, string ClientId, string WorkspaceId, string ReasonCode, string Reason, DateTimeOffset FailedAt)
{
    public const string EventTypeName = "challenge_failed";

    /// <summary>Version 1 failures were all refusals that would not clear (the scheduler retried everything else).</summary>
    public static ChallengeFailed Upcast(ChallengeFailedV1 v1) =>
        new(v1.RequestId, v1.ClientId, v1.WorkspaceId, v1.ReasonCode, v1.Reason, v1.FailedAt, Retryable: false);
}
