using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.UnitTests;

public class ChallengeRequestViewTests
{
    private static readonly DateTimeOffset RequestedAt = new(2026, 11, 26, 7, 4, 48, 123, TimeSpan.Zero);
    private static readonly DateTimeOffset ScheduledAt = RequestedAt.AddSeconds(5);
    private static readonly DateTimeOffset FailedAt = RequestedAt.AddSeconds(9);

    private static readonly ChallengePayload Payload = new(
        "Launch test", "Try it", ["bankidse", "smartid"], 3, "ios", false, "Acme Bank");

    private static readonly ChallengeSnapshot Snapshot = new(
        "ch_123", "Launch test", "Try it", RequestedAt.AddDays(7), RequestedAt.AddSeconds(4), null, true,
        "first_come", "Acme Bank", ["bankidse", "smartid"]);

    private static ChallengeRequested Requested() => new("req_1", "FK5b0KSM", "ws_acme", Payload, RequestedAt);

    private static ChallengeScheduled Scheduled() => new("req_1", "FK5b0KSM", "ws_acme", "ch_123", Snapshot, ScheduledAt);

    private static ChallengeFailed Failed() => new("req_1", "FK5b0KSM", "ws_acme", "CHALLENGE_REFUSED", "Refused by backend", FailedAt);

    [Fact]
    public void From_requested_is_pending()
    {
        var view = ChallengeRequestView.From(Requested());

        Assert.Equal("req_1", view.Id);
        Assert.Equal("FK5b0KSM", view.ClientId);
        Assert.Equal("ws_acme", view.WorkspaceId);
        Assert.Equal(ChallengeRequestView.Pending, view.Status);
        Assert.Equal("pending", view.Status);
        Assert.Same(Payload, view.Payload);
        Assert.Equal(RequestedAt, view.CreatedAt);
        Assert.Equal(RequestedAt, view.UpdatedAt);
        Assert.Null(view.ChallengeId);
        Assert.Null(view.Challenge);
        Assert.Null(view.FailureCode);
        Assert.Null(view.FailureReason);
    }

    [Fact]
    public void Scheduled_sets_status_challenge_and_updated_at()
    {
        var view = ChallengeRequestView.From(Requested());
        view.Record(Scheduled());

        Assert.Equal("scheduled", view.Status);
        Assert.Equal("ch_123", view.ChallengeId);
        Assert.Equal(Snapshot, view.Challenge);
        Assert.Equal(ScheduledAt, view.UpdatedAt);
        Assert.Equal(RequestedAt, view.CreatedAt);
        Assert.Null(view.FailureCode);
        Assert.Null(view.FailureReason);
    }

    [Fact]
    public void Failed_sets_status_reason_and_updated_at()
    {
        var view = ChallengeRequestView.From(Requested());
        view.Record(Failed());

        Assert.Equal("failed", view.Status);
        Assert.Equal("CHALLENGE_REFUSED", view.FailureCode);
        Assert.Equal("Refused by backend", view.FailureReason);
        Assert.Equal(FailedAt, view.UpdatedAt);
        Assert.Equal(RequestedAt, view.CreatedAt);
        Assert.Null(view.ChallengeId);
        Assert.Null(view.Challenge);
    }

    [Fact]
    public void Failure_after_scheduling_changes_nothing()
    {
        var view = ChallengeRequestView.From(Requested());
        view.Record(Scheduled());
        view.Record(Failed());

        Assert.Equal(ChallengeRequestView.Scheduled, view.Status);
        Assert.Equal("ch_123", view.ChallengeId);
        Assert.Null(view.FailureCode);
        Assert.Null(view.FailureReason);
        Assert.Equal(ScheduledAt, view.UpdatedAt);
    }

    [Fact]
    public void Scheduling_after_failure_changes_nothing()
    {
        var view = ChallengeRequestView.From(Requested());
        view.Record(Failed());
        view.Record(Scheduled());

        Assert.Equal(ChallengeRequestView.Failed, view.Status);
        Assert.Null(view.ChallengeId);
        Assert.Null(view.Challenge);
        Assert.Equal("CHALLENGE_REFUSED", view.FailureCode);
        Assert.Equal(FailedAt, view.UpdatedAt);
    }

    [Fact]
    public void Second_scheduling_changes_nothing()
    {
        var view = ChallengeRequestView.From(Requested());
        view.Record(Scheduled());
        view.Record(Scheduled() with { ChallengeId = "ch_other", Challenge = Snapshot with { Id = "ch_other" }, ScheduledAt = FailedAt });

        Assert.Equal("ch_123", view.ChallengeId);
        Assert.Equal("ch_123", view.Challenge!.Id);
        Assert.Equal(ScheduledAt, view.UpdatedAt);
    }

    [Fact]
    public void Projection_creates_and_applies_through_the_view()
    {
        var view = ChallengeRequestProjection.Step(null, Requested());
        view = ChallengeRequestProjection.Step(view, Failed());
        view = ChallengeRequestProjection.Step(view, Scheduled());

        Assert.Equal(ChallengeRequestView.Failed, view!.Status);
        Assert.Null(view.ChallengeId);
        Assert.Null(ChallengeRequestProjection.Step(null, Scheduled()));
    }

    [Fact]
    public void Replay_folds_a_stream_as_the_projection_does_and_the_first_outcome_decides()
    {
        var view = ChallengeRequestProjection.Fold([Requested(), Scheduled(), Failed()])!;

        Assert.Equal(ChallengeRequestView.Scheduled, view.Status);
        Assert.Equal("ch_123", view.ChallengeId);
        Assert.Equal(ScheduledAt, view.UpdatedAt);
        Assert.Equal(ChallengeRequestView.Failed, ChallengeRequestProjection.Fold([Requested(), Failed(), Scheduled()])!.Status);
        Assert.Equal(ChallengeRequestView.Pending, ChallengeRequestProjection.Fold([Requested()])!.Status);
    }

    [Fact]
    public void Replay_of_a_stream_that_does_not_start_with_ChallengeRequested_is_no_view()
    {
        Assert.Null(ChallengeRequestProjection.Fold([Scheduled()]));
        Assert.Null(ChallengeRequestProjection.Fold([]));
    }
}
