using System.Text.Json.Serialization;
using ProductionTests.Contracts;

namespace ProductionTests.RequestsApi.ProductionTests;

/// <summary>A challenge request as the API answers it.</summary>
/// <param name="Id"><c>req_&lt;uuid&gt;</c></param>
/// <param name="Status"><c>pending</c>, <c>scheduled</c> or <c>failed</c>.</param>
/// <param name="Payload">What is (or was) sent to tpas-backend.</param>
/// <param name="ChallengeId">tpas-backend's challenge id; null until scheduled.</param>
/// <param name="Failure">Why it failed; null unless <c>status</c> is <c>failed</c>.</param>
public sealed record ChallengeRequestResponse(
    string Id,
    string ClientId,
    string Status,
    ChallengePayload Payload,
    string? ChallengeId,
    DateTimeOffset CreatedAt,
    FailureResponse? Failure)
{
    public static ChallengeRequestResponse From(ChallengeRequestView view) => new(
        view.Id, view.ClientId, view.Status, view.Payload, view.ChallengeId, view.CreatedAt,
        view.Status == ChallengeRequestView.Failed ? new FailureResponse(view.FailureCode ?? "UNKNOWN", view.FailureReason ?? "", view.FailureRetryable) : null);
}

/// <param name="ReasonCode">A stable code, e.g. <c>CHALLENGE_REFUSED</c>.</param>
/// <param name="Reason">A human-readable explanation.</param>
/// <param name="Retryable">Whether a new request for the same challenge may succeed later.</param>
public sealed record FailureResponse(string ReasonCode, string Reason, bool Retryable);

/// <summary>A list item: <c>request</c> while pending or failed, <c>challenge</c> once scheduled (the request is kept beside it).</summary>
public sealed record ProductionTestListItem(
    string Type,
    ChallengeRequestResponse Request,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChallengeResponse? Challenge)
{
    public static ProductionTestListItem From(ChallengeRequestView view) => view.Challenge is { } challenge
        ? new("challenge", ChallengeRequestResponse.From(view), ChallengeResponse.From(challenge))
        : new("request", ChallengeRequestResponse.From(view), null);
}

/// <summary>A challenge as tpas-backend described it when it was scheduled.</summary>
public sealed record ChallengeResponse(
    string Id,
    string Title,
    string? Description,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    bool IsActive,
    string ChallengeMode,
    string Sponsor,
    IReadOnlyList<string> Sources)
{
    public static ChallengeResponse From(ChallengeSnapshot c) =>
        new(c.Id, c.Title, c.Description, c.ExpiresAt, c.CreatedAt, c.CompletedAt, c.IsActive, c.ChallengeMode, c.Sponsor, c.Sources);
}
