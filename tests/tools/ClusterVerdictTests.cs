using ProductionTests.FaultSuite;
using ProductionTests.FaultSuite.Cluster;
using ProductionTests.Tools;

namespace ProductionTests.ToolTests;

/// <summary>The cluster suite's verdict: a crafted clean run passes, and each rule broken fails it.</summary>
public sealed class ClusterVerdictTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private readonly List<RequestRecord> _requests = [Accepted(0, "req_a"), Accepted(1, "req_b")];
    private readonly List<StoredEvent> _events =
    [
        new("req_a", "challenge_requested", T0, "Fault suite r #0", null), new("req_a", "challenge_scheduled", T0.AddSeconds(1), null, "chl_a"),
        new("req_b", "challenge_requested", T0, "Fault suite r #1", null), new("req_b", "challenge_scheduled", T0.AddSeconds(1), null, "chl_b"),
    ];
    private readonly List<StubChallenge> _challenges = [new("chl_a", "req_a"), new("chl_b", "req_b")];
    private readonly Dictionary<string, long> _queues = new() { ["scheduler-challenge-requested"] = 0, ["scheduler-challenge-requested_error"] = 0 };
    private readonly List<ClusterFault> _faults = [Observed(ClusterFaults.ApiLeaderKill)];

    private ClusterVerdict Judge(bool drained = true) => ClusterVerdict.Judge(_requests, _events, _challenges, _queues, _faults, drained);

    [Fact]
    public void The_clean_run_passes() => Assert.True(Judge().Passed, string.Join("; ", Judge().Findings));

    [Fact]
    public void An_accepted_request_missing_from_the_store_is_lost()
    {
        _events.RemoveAll(e => e.StreamId == "req_b");

        Assert.Equal(1, Judge().Lost);
        Assert.False(Judge().Passed);
    }

    [Fact]
    public void A_key_answered_with_two_ids_is_a_duplicate()
    {
        _requests[0].RequestIdsSeen.Add("req_other");

        Assert.Equal(1, Judge().Duplicated);
        Assert.False(Judge().Passed);
    }

    [Fact]
    public void A_title_committed_twice_is_a_duplicate()
    {
        _events.Add(new("req_c", "challenge_requested", T0, "Fault suite r #0", null));

        Assert.False(Judge().Passed);
    }

    [Fact]
    public void Two_challenges_at_the_stub_for_one_request_are_a_duplicate()
    {
        _challenges.Add(new("chl_a2", "req_a"));

        Assert.False(Judge().Passed);
    }

    [Fact]
    public void A_request_without_its_outcome_is_not_scheduled()
    {
        _events.RemoveAll(e => e.StreamId == "req_b" && e.IsOutcome);

        Assert.Equal(1, Judge().Unscheduled);
        Assert.False(Judge().Passed);
    }

    [Fact]
    public void A_message_left_in_an_error_queue_fails_the_run()
    {
        _queues["scheduler-challenge-requested_error"] = 1;

        Assert.False(Judge().Passed);
    }

    [Fact]
    public void A_fault_not_seen_to_take_effect_fails_the_run()
    {
        _faults.Add(new ClusterFault { Name = ClusterFaults.PostgresPrimaryKill, Slot = 2 });

        Assert.Single(Judge().FaultsNotObserved);
        Assert.False(Judge().Passed);
    }

    [Fact]
    public void An_incomplete_drain_or_a_run_that_accepted_nothing_fails()
    {
        Assert.False(Judge(drained: false).Passed);
        _requests.Clear();
        Assert.False(Judge().Passed);
    }

    [Fact]
    public void The_longest_gap_counts_from_the_start_of_the_window()
    {
        DateTimeOffset[] moments = [T0.AddSeconds(3), T0.AddSeconds(4), T0.AddSeconds(9)];

        Assert.Equal(TimeSpan.FromSeconds(5), ClusterSuite.LongestGap(moments, T0, T0.AddSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(3), ClusterSuite.LongestGap(moments, T0, T0.AddSeconds(5)));
        Assert.Equal(TimeSpan.FromSeconds(2), ClusterSuite.LongestGap([], T0, T0.AddSeconds(2)));
    }

    private static RequestRecord Accepted(int index, string id)
    {
        var record = new RequestRecord { Index = index, Key = $"k{index}", Title = $"Fault suite r #{index}", Slot = 1, FirstSentAt = T0, RequestId = id, AcceptedAt = T0 };
        record.RequestIdsSeen.Add(id);
        return record;
    }

    private static ClusterFault Observed(string name)
    {
        var fault = new ClusterFault { Name = name, Slot = 1 };
        fault.Observed.Add("gone");
        return fault;
    }
}
