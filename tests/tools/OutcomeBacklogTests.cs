using ProductionTests.Benchmark;

namespace ProductionTests.ToolTests;

/// <summary>The benchmark's drain counts requests without an outcome per request id, not requests minus outcomes.</summary>
public sealed class OutcomeBacklogTests
{
    [Fact]
    public void A_lost_outcome_and_a_duplicated_one_do_not_cancel_out()
    {
        var backlog = new OutcomeBacklog(since: 0);

        var left = backlog.Apply([Request(1, "req_a"), Request(2, "req_b"), Outcome(3, "req_a"), Outcome(4, "req_a")], highWaterMark: 4);

        Assert.Equal(1, left);
        Assert.Equal(1, backlog.Duplicates);
    }

    [Fact]
    public void Every_request_with_its_outcome_is_drained()
    {
        var backlog = new OutcomeBacklog(since: 0);

        var left = backlog.Apply([Request(1, "req_a"), Request(2, "req_b"), Outcome(3, "req_b"), Outcome(4, "req_a")], highWaterMark: 4);

        Assert.Equal(0, left);
        Assert.Equal(0, backlog.Duplicates);
    }

    [Fact]
    public void Unsettled_events_count_now_and_are_read_again_once_settled()
    {
        var backlog = new OutcomeBacklog(since: 0);

        // Above the high-water mark (2): an earlier sequence may still commit, so 3 and 4 are not kept.
        Assert.Equal(2, backlog.Apply([Request(1, "req_a"), Request(2, "req_b"), Outcome(3, "req_a"), Request(4, "req_c")], highWaterMark: 2));   // b and c
        Assert.Equal(2, backlog.SettledUpTo);
        Assert.Equal(1, backlog.Apply([Outcome(3, "req_a"), Request(4, "req_c"), Outcome(5, "req_b")], highWaterMark: 5));
        Assert.Equal(0, backlog.Apply([Outcome(6, "req_c")], highWaterMark: 6));
    }

    [Fact]
    public void An_outcome_for_a_request_of_an_earlier_phase_is_not_this_phase_s()
    {
        var backlog = new OutcomeBacklog(since: 10);

        Assert.Equal(1, backlog.Apply([Request(11, "req_new"), Outcome(12, "req_old")], highWaterMark: 12));
    }

    [Fact]
    public void A_second_request_event_for_one_id_is_a_duplicate()
    {
        var backlog = new OutcomeBacklog(since: 0);

        backlog.Apply([Request(1, "req_a"), Outcome(2, "req_a"), Request(3, "req_a")], highWaterMark: 3);

        Assert.Equal(1, backlog.Duplicates);
    }

    private static PipelineEvent Request(long sequence, string id) => new(sequence, id, IsRequest: true);
    private static PipelineEvent Outcome(long sequence, string id) => new(sequence, id, IsRequest: false);
}
