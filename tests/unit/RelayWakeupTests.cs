using ProductionTests.RequestsApi.Relay;

namespace ProductionTests.UnitTests;

/// <summary>The daemon's pause between polls: ended by a commit, never lost, and coalesced.</summary>
public class RelayWakeupTests
{
    private static readonly TimeSpan LongPause = TimeSpan.FromHours(1);

    [Fact]
    public void A_pause_without_commits_lasts()
    {
        using var wakeup = new RelayWakeup(TimeSpan.Zero);

        Assert.False(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_commit_ends_the_current_pause()
    {
        using var wakeup = new RelayWakeup(TimeSpan.Zero);
        var pause = wakeup.WaitAsync(LongPause, CancellationToken.None);

        wakeup.EventsCommitted();

        await pause.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(pause.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_commit_while_the_daemon_looks_ends_its_next_pause_at_once()
    {
        using var wakeup = new RelayWakeup(TimeSpan.Zero);

        wakeup.EventsCommitted();

        Assert.True(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void Many_commits_during_one_look_wake_the_daemon_once()
    {
        using var wakeup = new RelayWakeup(TimeSpan.Zero);

        for (var i = 0; i < 50; i++) wakeup.EventsCommitted();

        Assert.True(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompleted);
    }

    [Theory]
    [InlineData(0, 25, 1000, 25)]      // right after a look: wait out the spacing
    [InlineData(10, 25, 1000, 15)]
    [InlineData(25, 25, 1000, 0)]      // the last look is old enough: look now
    [InlineData(400, 25, 1000, 0)]     // after a quiet spell: look now
    [InlineData(0, 25, 10, 10)]        // never past the daemon's own pause
    [InlineData(0, 0, 1000, 0)]        // no spacing
    public void A_commit_ends_the_pause_no_sooner_than_the_spacing_after_the_last_look(int sinceLastLookMs, int spacingMs, int pauseLeftMs, int expectedRestMs)
    {
        var rest = RelayWakeup.RestAfterWake(TimeSpan.FromMilliseconds(sinceLastLookMs), TimeSpan.FromMilliseconds(spacingMs), TimeSpan.FromMilliseconds(pauseLeftMs));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedRestMs), rest);
    }

    [Fact]
    public async Task Shutdown_ends_a_pause()
    {
        using var wakeup = new RelayWakeup(TimeSpan.Zero);
        using var shutdown = new CancellationTokenSource();
        var pause = wakeup.WaitAsync(LongPause, shutdown.Token);

        await shutdown.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pause);
    }
}
