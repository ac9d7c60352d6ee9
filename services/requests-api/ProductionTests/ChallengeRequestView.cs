using Marten.Events.Aggregation;
using ProductionTests.Contracts;

namespace ProductionTests.RequestsApi.ProductionTests;

/// <summary>The state of one challenge request, kept in step with its stream by an inline projection.</summary>
public sealed class ChallengeRequestView
{
    public const string Pending = "pending";
    public const string Scheduled = "scheduled";
    public const string Failed = "failed";

    public required string Id { get; set; }
    public required string ClientId { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Status { get; set; }
    public required ChallengePayload Payload { get; set; }
    public string? ChallengeId { get; set; }
    public ChallengeSnapshot? Challenge { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureReason { get; set; }
    public bool FailureRetryable { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public static ChallengeRequestView From(ChallengeRequested e) => new()
    {
        Id = e.RequestId,
        ClientId = e.ClientId,
        WorkspaceId = e.WorkspaceId,
        Status = Pending,
        Payload = e.Payload,
        CreatedAt = e.RequestedAt,
        UpdatedAt = e.RequestedAt,
    };

    /// <summary>The view a stream's events build, in order (what the projection does, for a rebuild); null without ChallengeRequested first.</summary>
    public static ChallengeRequestView? Replay(IEnumerable<object> events)
    {
        ChallengeRequestView? view = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case ChallengeRequested requested when view is null: view = From(requested); break;
                case ChallengeScheduled scheduled: view?.Apply(scheduled); break;
                case ChallengeFailed failed: view?.Apply(failed); break;
            }
        }
        return view;
    }

    /// <summary>The first outcome decides; a later one (which the outcome consumer never appends) changes nothing.</summary>
    public void Apply(ChallengeScheduled e)
    {
        if (Status != Pending) return;
        Status = Scheduled;
        ChallengeId = e.ChallengeId;
        Challenge = e.Challenge;
        UpdatedAt = e.ScheduledAt;
    }

    public void Apply(ChallengeFailed e)
    {
        if (Status != Pending) return;
        Status = Failed;
        FailureCode = e.ReasonCode;
        FailureReason = e.Reason;
        FailureRetryable = e.Retryable;
        UpdatedAt = e.FailedAt;
    }
}

public sealed class ChallengeRequestProjection : SingleStreamProjection<ChallengeRequestView, string>
{
    public ChallengeRequestView Create(ChallengeRequested e) => ChallengeRequestView.From(e);
    public void Apply(ChallengeScheduled e, ChallengeRequestView view) => view.Apply(e);
    public void Apply(ChallengeFailed e, ChallengeRequestView view) => view.Apply(e);
}
