namespace ProductionTests.Contracts;

/// <summary>
/// Version 1. A workspace owner asked for a production test challenge for one of the workspace's apps.
/// The first event of every challenge-request stream; published on the bus for the scheduler and any
/// downstream subscriber.
/// </summary>
/// <param name="RequestId">The request's id, <c>req_&lt;uuid&gt;</c>; also the stream id and tpas-backend's idempotency key.</param>
/// <param name="ClientId">The app's client id.</param>
/// <param name="WorkspaceId">The workspace that owns the app and made the request.</param>
/// <param name="Payload">What is to be created at tpas-backend.</param>
/// <param name="RequestedAt">When the request was accepted (UTC).</param>
public sealed record ChallengeRequested(
    string RequestId,
    string ClientId,
    string WorkspaceId,
    ChallengePayload Payload,
    DateTimeOffset RequestedAt);
