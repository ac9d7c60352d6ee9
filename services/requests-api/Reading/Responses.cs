using System.Text.Json.Serialization;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.RequestsApi.Reading;

// Optional members are left out rather than sent as null: Hopae's published schema types them as plain
// strings (or objects), which null does not satisfy, and clients generated from it fail on null.

/// <summary>A challenge request as the API answers it.</summary>
/// <param name="Id"><c>req_&lt;uuid&gt;</c></param>
/// <param name="Status"><c>pending</c>, <c>scheduled</c> or <c>failed</c>.</param>
/// <param name="Payload">What is (or was) sent to tpas-backend.</param>
/// <param name="ChallengeId">tpas-backend's challenge id; absent until scheduled.</param>
/// <param name="Failure">Why it failed; present only when <c>status</c> is <c>failed</c>.</param>
public sealed record ChallengeRequestResponse(
    string Id,
    string ClientId,
    RequestStatus Status,
    ChallengePayload Payload,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ChallengeId,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FailureResponse? Failure)
{
    public static ChallengeRequestResponse From(ChallengeRequestView view) => new(
        view.Id, view.ClientId, StatusOf(view), view.Payload, view.ChallengeId, view.CreatedAt,
        view.Status == ChallengeRequestView.Failed ? new FailureResponse(view.FailureCode ?? "UNKNOWN", view.FailureReason ?? "", view.FailureRetryable) : null);

    private static RequestStatus StatusOf(ChallengeRequestView view) => view.Status switch
    {
        ChallengeRequestView.Pending => RequestStatus.Pending,
        ChallengeRequestView.Scheduled => RequestStatus.Scheduled,
        ChallengeRequestView.Failed => RequestStatus.Failed,
        _ => throw new InvalidOperationException($"Request {view.Id} has an unknown status '{view.Status}'."),
    };
}

/// <summary>Where a request stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RequestStatus>))]
public enum RequestStatus
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("scheduled")] Scheduled,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <param name="ReasonCode">A stable code, e.g. <c>CHALLENGE_REFUSED</c>.</param>
/// <param name="Reason">A human-readable explanation.</param>
/// <param name="Retryable">Whether a new request for the same challenge may succeed later.</param>
public sealed record FailureResponse(string ReasonCode, string Reason, bool Retryable);

/// <summary>A list item: <c>request</c> while pending or failed, <c>challenge</c> once scheduled (the request is kept beside it).</summary>
/// <param name="Challenge">The challenge; present only when <c>type</c> is <c>challenge</c>.</param>
public sealed record ProductionTestListItem(
    ListItemType Type,
    ChallengeRequestResponse Request,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChallengeResponse? Challenge)
{
    public static ProductionTestListItem From(ChallengeRequestView view) => view.Challenge is { } challenge
        ? new(ListItemType.Challenge, ChallengeRequestResponse.From(view), ChallengeResponse.From(challenge))
        : new(ListItemType.Request, ChallengeRequestResponse.From(view), null);
}

/// <summary><c>request</c> until a challenge exists, then <c>challenge</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ListItemType>))]
public enum ListItemType
{
    [JsonStringEnumMemberName("request")] Request,
    [JsonStringEnumMemberName("challenge")] Challenge,
}

/// <summary>A challenge as tpas-backend described it when it was scheduled.</summary>
/// <param name="Description">Absent when the challenge has none.</param>
/// <param name="CompletedAt">When every stamp had been claimed; absent while stamps remain.</param>
/// <param name="ChallengeMode"><c>first_come</c> for production tests.</param>
/// <param name="Sponsor">Who hosts the challenge.</param>
/// <param name="Sources">The provider ids participants may verify with.</param>
public sealed record ChallengeResponse(
    string Id,
    string Title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? CompletedAt,
    bool IsActive,
    string ChallengeMode,
    Sponsor Sponsor,
    IReadOnlyList<string> Sources)
{
    public static ChallengeResponse From(ChallengeSnapshot c) =>
        new(c.Id, c.Title, c.Description, c.ExpiresAt, c.CreatedAt, c.CompletedAt, c.IsActive, c.ChallengeMode, new Sponsor(c.Sponsor), c.Sources);
}

/// <summary>The challenge's host, as participants see it: Hopae's schema makes the sponsor an object.</summary>
/// <param name="Name">The app's name (the request's <c>payload.hostName</c>).</param>
public sealed record Sponsor(string Name);
