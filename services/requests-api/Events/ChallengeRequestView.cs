using Marten.Events.Aggregation;
using JasperFx.Events;
using ProductionTests.Contracts;

namespace ProductionTests.RequestsApi.Events;

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

    /// <summary>A copy to fold further without changing this one (the fields it holds do not change once set).</summary>
    public ChallengeRequestView Copy() => (ChallengeRequestView)MemberwiseClone();

    /// <summary>The first outcome decides; a later one (which the outcome consumer never appends) changes nothing.</summary>
    public void Record(ChallengeScheduled e)
    {
        if (Status != Pending) return;
        Status = Scheduled;
        ChallengeId = e.ChallengeId;
        Challenge = e.Challenge;
        UpdatedAt = e.ScheduledAt;
    }

    public void Record(ChallengeFailed e)
    {
        if (Status != Pending) return;
        Status = Failed;
        FailureCode = e.ReasonCode;
        FailureReason = e.Reason;
        FailureRetryable = e.Retryable;
        UpdatedAt = e.FailedAt;
    }
}

/// <summary>
/// The one fold of a request's events into its view: Marten runs it inline with every append, and the
/// rebuild (rebuild-views) runs it over stored streams. Its event types are those of <see cref="RequestEvents"/>.
/// </summary>
public sealed class ChallengeRequestProjection : SingleStreamProjection<ChallengeRequestView, string>
{
    public ChallengeRequestProjection()
    {
        foreach (var type in RequestEvents.All) IncludeType(type.Type);
    }

    public override ChallengeRequestView? Evolve(ChallengeRequestView? snapshot, string id, IEvent e) => Step(snapshot, e.Data);

    /// <summary>One event applied to the view as it stands (null before ChallengeRequested); anything else changes nothing.</summary>
    public static ChallengeRequestView? Step(ChallengeRequestView? view, object data)
    {
        switch (data)
        {
            case ChallengeRequested requested when view is null: return ChallengeRequestView.From(requested);
            case ChallengeScheduled scheduled: view?.Record(scheduled); break;
            case ChallengeFailed failed: view?.Record(failed); break;
        }
        return view;
    }

    /// <summary>The view a stream's events build, in order; null without ChallengeRequested first.</summary>
    public static ChallengeRequestView? Fold(IEnumerable<object> events) => events.Aggregate((ChallengeRequestView?)null, Step);
}
