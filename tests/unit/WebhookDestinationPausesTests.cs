using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Webhooks;

namespace ProductionTests.UnitTests;

/// <summary>The pause of a failing destination: when it starts, how it grows, the probe, and what resumes it.</summary>
public sealed class WebhookDestinationPausesTests
{
    private const string App = "app1";
    private const string Url = "https://hooks.example.com/a";
    private const int Open = 8;

    private sealed class StepClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly StepClock _clock = new();

    private WebhookDestinationPauses Pauses(int after = 3, string pauses = "5,30,120") =>
        new(Options.Create(new WebhookOptions { PauseAfterFailures = after, PauseSeconds = pauses }), _clock, NullLogger<WebhookDestinationPauses>.Instance);

    /// <summary>One claimed attempt of the app that ends with <paramref name="outcome"/>; the change it made.</summary>
    private static PauseChange Attempt(WebhookDestinationPauses pauses, string outcome, string url = Url)
    {
        var probe = pauses.Claimed(App, url);
        return pauses.Finished(App, url, outcome, probe);
    }

    [Fact]
    public void Failures_in_a_row_pause_the_app_and_a_success_between_them_starts_the_count_again()
    {
        var pauses = Pauses(after: 3);
        Assert.Equal(Open, pauses.Slots(App, Url, Open));
        Assert.Equal(PauseChange.None, Attempt(pauses, "connection_failed"));
        Assert.Equal(PauseChange.None, Attempt(pauses, "timeout"));
        Assert.Equal(PauseChange.None, Attempt(pauses, "delivered"));
        Assert.Equal(PauseChange.None, Attempt(pauses, "http_error"));
        Assert.Equal(PauseChange.None, Attempt(pauses, "connection_lost"));
        Assert.Equal(Open, pauses.Slots(App, Url, Open));
        Assert.Equal(PauseChange.Paused, Attempt(pauses, "refused_address"));
        Assert.True(pauses.IsPaused(App));
        Assert.Equal(0, pauses.Slots(App, Url, Open));
        Assert.Equal(1, pauses.PausedCount());
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("abandoned")]
    [InlineData(null)]
    public void Outcomes_that_say_nothing_of_the_receiver_neither_count_nor_reset(string? outcome)
    {
        var pauses = Pauses(after: 2);
        Attempt(pauses, "connection_failed");
        var probe = pauses.Claimed(App, Url);
        Assert.Equal(PauseChange.None, pauses.Finished(App, Url, outcome, probe));
        Assert.Equal(PauseChange.Paused, Attempt(pauses, "connection_failed"));
    }

    [Fact]
    public void A_paused_app_gets_one_slot_for_a_probe_when_the_pause_ends_and_each_failed_probe_pauses_longer_up_to_the_last()
    {
        var pauses = Pauses(after: 1, pauses: "5,30,120");
        Attempt(pauses, "connection_failed");
        foreach (var pause in new[] { 5, 30, 120, 120 })
        {
            _clock.Now += TimeSpan.FromSeconds(pause) - TimeSpan.FromMilliseconds(1);
            Assert.Equal(0, pauses.Slots(App, Url, Open));
            _clock.Now += TimeSpan.FromMilliseconds(1);
            Assert.Equal(1, pauses.Slots(App, Url, Open));
            Assert.True(pauses.Claimed(App, Url));
            Assert.Equal(0, pauses.Slots(App, Url, Open)); // one probe at a time
            Assert.False(pauses.Claimed(App, Url));
            Assert.Equal(PauseChange.PauseExtended, pauses.Finished(App, Url, "http_error", probe: true));
        }
    }

    [Fact]
    public void A_probe_that_succeeds_resumes_the_app_at_full_concurrency()
    {
        var pauses = Pauses(after: 1);
        Attempt(pauses, "timeout");
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(pauses.Claimed(App, Url));
        Assert.Equal(PauseChange.Resumed, pauses.Finished(App, Url, "delivered", probe: true));
        Assert.False(pauses.IsPaused(App));
        Assert.Equal(Open, pauses.Slots(App, Url, Open));
        // The count starts again from nothing, and the next pause is the first one again.
        Assert.Equal(PauseChange.Paused, Attempt(pauses, "timeout"));
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.Equal(1, pauses.Slots(App, Url, Open));
    }

    [Fact]
    public void Attempts_claimed_before_the_pause_that_fail_during_it_do_not_lengthen_it_but_one_that_succeeds_resumes()
    {
        var pauses = Pauses(after: 2);
        var inFlight = Enumerable.Range(0, 4).Select(_ => pauses.Claimed(App, Url)).ToList();
        Assert.All(inFlight, Assert.False);
        pauses.Finished(App, Url, "connection_failed", false);
        Assert.Equal(PauseChange.Paused, pauses.Finished(App, Url, "connection_failed", false));
        Assert.Equal(PauseChange.None, pauses.Finished(App, Url, "connection_failed", false));
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.Equal(1, pauses.Slots(App, Url, Open));
        Assert.Equal(PauseChange.Resumed, pauses.Finished(App, Url, "delivered", false));
        Assert.Equal(Open, pauses.Slots(App, Url, Open));
    }

    [Fact]
    public void A_probe_that_ends_without_a_verdict_lets_the_next_one_go_at_once()
    {
        var pauses = Pauses(after: 1);
        Attempt(pauses, "connection_failed");
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(pauses.Claimed(App, Url));
        Assert.Equal(PauseChange.None, pauses.Finished(App, Url, null, probe: true));
        Assert.Equal(1, pauses.Slots(App, Url, Open));
    }

    [Fact]
    public void A_new_url_starts_the_app_afresh_and_old_attempts_to_the_previous_url_change_nothing()
    {
        var pauses = Pauses(after: 1);
        Attempt(pauses, "connection_failed");
        Assert.Equal(0, pauses.Slots(App, Url, Open));
        const string moved = "https://hooks.example.com/b";
        Assert.Equal(Open, pauses.Slots(App, moved, Open));
        Assert.Equal(PauseChange.None, pauses.Finished(App, Url, "connection_failed", false));
        Assert.False(pauses.IsPaused(App));
    }

    [Fact]
    public void Zero_failures_to_pause_never_pauses()
    {
        var pauses = Pauses(after: 0);
        for (var i = 0; i < 50; i++) Assert.Equal(PauseChange.None, Attempt(pauses, "connection_failed"));
        Assert.Equal(Open, pauses.Slots(App, Url, Open));
    }

    [Fact]
    public void The_defaults_pause_after_five_failures_for_5_s_then_30_s_2_min_and_10_min()
    {
        var options = new WebhookOptions();
        Assert.Equal(5, options.PauseAfterFailures);
        Assert.Equal([5, 30, 120, 600], options.Pauses.Select(p => p.TotalSeconds));
        Assert.True(options.MaxAge > options.RetryDelays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d), "the age rule must not cut the retry schedule short");
    }
}
