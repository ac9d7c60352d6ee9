using ProductionTests.FaultSuite;
using ProductionTests.Tools;

namespace ProductionTests.ToolTests;

/// <summary>The fault suite's verdict: every rule, fed a crafted run that breaks it, must fail the run.</summary>
public sealed class FaultSuiteVerdictTests
{
    private readonly CleanRun _run = new();

    [Fact]
    public void The_clean_run_passes()
    {
        var result = _run.Analyse();

        Assert.True(result.Passed, string.Join("; ", result.Verdict));
        Assert.Equal(2, result.Overall.Accepted);
    }

    [Fact]
    public void A_fault_not_seen_to_take_effect_fails_the_run()
    {
        _run.Timeline.Slots[1].Observed.Clear();

        AssertFails(_run.Analyse(), "api-kill: the fault was not seen to take effect");
    }

    [Fact]
    public void A_fault_whose_injection_went_wrong_fails_the_run_even_when_something_was_observed()
    {
        _run.Timeline.Slots[1].WentWrong = true;

        AssertFails(_run.Analyse(), "api-kill: the fault was not seen to take effect");
    }

    [Fact]
    public void A_run_that_accepted_nothing_fails()
    {
        var run = new CleanRun();
        run.Requests.Clear();

        AssertFails(run.Analyse(), "no request was accepted");
    }

    [Fact]
    public void A_stub_challenge_for_no_committed_request_fails_the_run()
    {
        _run.Challenges.Add(new StubChallenge("chl_stray", "req_never_committed"));

        AssertFails(_run.Analyse(), "stub challenges for no committed request");
    }

    [Fact]
    public void A_booking_call_for_a_request_never_committed_is_a_phantom_and_fails_the_run()
    {
        _run.Bookings.Add(new StubBooking("req_phantom", Calls: 1, Challenges: 0));

        var result = _run.Analyse();

        AssertFails(result, "phantom calls");
        Assert.Equal(1, result.PhantomBookingCalls);
    }

    [Fact]
    public void Two_challenges_for_one_request_at_the_stub_are_a_duplicate()
    {
        _run.Bookings[^1] = new StubBooking("req_1", Calls: 2, Challenges: 2);

        AssertFails(_run.Analyse(), "1 requests duplicated");
    }

    [Fact]
    public void Several_calls_for_one_challenge_are_retries_and_pass()
    {
        _run.Bookings[^1] = new StubBooking("req_1", Calls: 3, Challenges: 1, LostAnswers: 2);

        var result = _run.Analyse();

        Assert.True(result.Passed, string.Join("; ", result.Verdict));
        Assert.Equal(1, result.Rebooked);
        Assert.Equal(4, result.BookingCalls);
    }

    [Theory]
    [InlineData("scheduler-challenge-requested")]
    [InlineData("scheduler-challenge-requested_error")]
    [InlineData("requests-api-challenge-outcomes_skipped")]
    public void A_message_left_in_any_queue_after_the_drain_fails_the_run(string queue)
    {
        _run.Queues!.RemoveAll(q => q.Queue == queue);
        _run.Queues.Add(new QueueDepth(queue, 1, 0));

        AssertFails(_run.Analyse(), $"messages left after the drain: {queue} 1");
    }

    [Fact]
    public void No_queues_found_is_not_empty_queues_and_fails_the_run()
    {
        _run.Queues = [];

        AssertFails(_run.Analyse(), "the platform's queues were not among those read: scheduler-challenge-requested, requests-api-challenge-outcomes");
    }

    [Fact]
    public void Queues_that_could_not_be_read_fail_the_run()
    {
        _run.Queues = null;

        AssertFails(_run.Analyse(), "the queues could not be read");
    }

    [Fact]
    public void A_committed_request_without_its_201_that_never_got_an_outcome_fails_the_run()
    {
        var gaveUp = _run.AddSent(2, slot: 1, sentAt: 6);
        gaveUp.LastError = "timeout (5 s)";
        _run.Streams.Add("req_2");
        _run.Events.Add(new StoredEvent("req_2", "challenge_requested", gaveUp.FirstSentAt.AddMilliseconds(10), gaveUp.Title, null));

        var result = _run.Analyse();

        AssertFails(result, "1 committed requests whose client got no 201 never got an outcome");
        Assert.Equal(1, result.CreatedWithout201);
    }

    [Fact]
    public void A_committed_request_without_its_201_that_got_its_outcome_passes()
    {
        var gaveUp = _run.AddSent(2, slot: 1, sentAt: 6);
        _run.Streams.Add("req_2");
        _run.Events.Add(new StoredEvent("req_2", "challenge_requested", gaveUp.FirstSentAt.AddMilliseconds(10), gaveUp.Title, null));
        _run.Events.Add(new StoredEvent("req_2", "challenge_scheduled", gaveUp.FirstSentAt.AddSeconds(1), null, "chl_2"));
        _run.Challenges.Add(new StubChallenge("chl_2", "req_2"));
        _run.Bookings.Add(new StubBooking("req_2", 1, 1));

        var result = _run.Analyse();

        Assert.True(result.Passed, string.Join("; ", result.Verdict));
    }

    [Theory]
    [InlineData(409, "IDEMPOTENCY_KEY_CONFLICT")]
    [InlineData(400, "SOMETHING_UNDOCUMENTED")]
    [InlineData(422, "VALIDATION_INVALID_PARAMETER")]
    [InlineData(400, null)]
    public void A_final_4xx_the_contract_does_not_allow_for_the_create_fails_the_run(int status, string? code)
    {
        Reject(status, code);

        AssertFails(_run.Analyse(), "creates ended with a 4xx the contract does not allow");
    }

    [Theory]
    [InlineData(429, "AUTH_RATE_LIMITED")]
    [InlineData(409, "IDEMPOTENCY_REQUEST_IN_PROGRESS")]
    [InlineData(413, "VALIDATION_PAYLOAD_TOO_LARGE")]
    [InlineData(415, "VALIDATION_UNSUPPORTED_MEDIA_TYPE")]
    [InlineData(405, "RESOURCE_METHOD_NOT_ALLOWED")]
    public void A_documented_final_4xx_is_not_accepted_but_does_not_fail_the_run(int status, string code)
    {
        Reject(status, code);

        var result = _run.Analyse();

        Assert.True(result.Passed, string.Join("; ", result.Verdict));
        Assert.Equal(1, result.Overall.Rejected);
    }

    [Fact]
    public void An_accepted_request_without_an_outcome_is_lost()
    {
        _run.Events.RemoveAll(e => e.StreamId == "req_0" && e.IsOutcome);

        AssertFails(_run.Analyse(), "1 accepted requests lost");
    }

    [Fact]
    public void Two_outcomes_for_one_request_are_a_duplicate()
    {
        _run.Events.Add(new StoredEvent("req_0", "challenge_scheduled", CleanRun.T0.AddSeconds(3), null, "chl_0"));

        AssertFails(_run.Analyse(), "1 requests duplicated");
    }

    [Fact]
    public void A_fault_after_which_no_request_went_through_fails_the_run()
    {
        _run.Requests.RemoveAll(r => r.Slot == 1);

        AssertFails(_run.Analyse(), "api-kill: no request sent after the fault went through");
    }

    [Fact]
    public void A_kill_after_commit_without_a_201_replayed_did_not_exercise_its_path_and_fails_the_run()
    {
        var run = new CleanRun(FaultNames.ApiKillAfterCommit);

        AssertFails(run.Analyse(), "api-kill-after-commit: no request got its 201 as a replay");
    }

    [Fact]
    public void A_kill_after_commit_with_a_201_replayed_passes()
    {
        var run = new CleanRun(FaultNames.ApiKillAfterCommit);
        var replayed = run.AddAccepted(2, slot: 1, sentAt: 6);
        replayed.Attempts = 2;
        replayed.Replayed = true;

        var result = run.Analyse();

        Assert.True(result.Passed, string.Join("; ", result.Verdict));
        Assert.Equal(1, result.Overall.Replayed);
    }

    [Fact]
    public void A_stalled_fault_fails_the_run()
    {
        _run.Timeline.Slots[1].Stalled = true;

        AssertFails(_run.Analyse(), "api-kill: the pipeline stalled");
    }

    private void Reject(int status, string? code)
    {
        var rejected = _run.AddSent(2, slot: 1, sentAt: 12);
        rejected.Rejection = $"{status} {code}".Trim();
        rejected.RejectionStatus = status;
        rejected.RejectionCode = code;
    }

    private static void AssertFails(SuiteResult result, string rule)
    {
        Assert.False(result.Passed, $"the run passed; expected it to fail on: {rule}");
        Assert.Contains(result.Verdict, v => v.Contains(rule, StringComparison.Ordinal));
    }
}
