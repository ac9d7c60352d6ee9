using ProductionTests.RequestsApi.Waiting;

namespace ProductionTests.UnitTests;

public sealed class WaitPreferenceTests
{
    [Theory]
    [InlineData("wait=10", 10)]
    [InlineData("WAIT=5", 5)]
    [InlineData("respond-async, wait=7", 7)]
    [InlineData("wait=12; foo=bar", 12)]
    [InlineData("wait=\"3\"", 3)]
    [InlineData("wait=31", 30)]
    [InlineData("wait=999999999", 30)]
    public void A_wait_preference_is_read_and_capped_at_30(string header, int seconds) =>
        Assert.Equal(seconds, WaitPreference.Parse([header]));

    [Theory]
    [InlineData("wait=0")]
    [InlineData("wait=-3")]
    [InlineData("wait=1.5")]
    [InlineData("wait=")]
    [InlineData("wait")]
    [InlineData("wait=1e3")]
    [InlineData("wait=9999999999")]
    [InlineData("return=minimal")]
    [InlineData("")]
    public void Anything_else_is_no_wait(string header) =>
        Assert.Null(WaitPreference.Parse([header]));

    [Fact]
    public void A_wait_in_a_second_prefer_header_counts() =>
        Assert.Equal(4, WaitPreference.Parse(["return=minimal", "wait=4"]));

    [Fact]
    public void No_prefer_header_is_no_wait() =>
        Assert.Null(WaitPreference.Parse([]));
}

public sealed class OutcomeWaitersTests
{
    [Fact]
    public async Task A_notification_wakes_the_waiters_of_that_request_only()
    {
        var waiters = new OutcomeWaiters();
        using var a = waiters.Register("req_a");
        using var b = waiters.Register("req_b");

        waiters.Notify("req_a");

        Assert.True(await a.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.False(await b.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
    }

    [Fact]
    public async Task NotifyAll_wakes_everyone_and_disposed_waiters_are_forgotten()
    {
        var waiters = new OutcomeWaiters();
        using var a = waiters.Register("req_a");
        var b = waiters.Register("req_b");
        b.Dispose();

        waiters.NotifyAll();

        Assert.True(await a.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(1, waiters.Count);
    }
}
