using ProductionTests.RequestsApi.Relay;

namespace ProductionTests.UnitTests;

/// <summary>The daemon's pause between polls: ended by a commit, never lost, and coalesced.</summary>
public class RelayWakeupTests
{
    private static readonly TimeSpan LongPause = TimeSpan.FromHours(1);

    [Fact]
    public void A_pause_without_commits_lasts()
    {
        using var wakeup = new RelayWakeup();

        Assert.False(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_commit_ends_the_current_pause()
    {
        using var wakeup = new RelayWakeup();
        var pause = wakeup.WaitAsync(LongPause, CancellationToken.None);

        wakeup.EventsCommitted();

        await pause.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(pause.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_commit_while_the_daemon_looks_ends_its_next_pause_at_once()
    {
        using var wakeup = new RelayWakeup();

        wakeup.EventsCommitted();

        Assert.True(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void Many_commits_during_one_look_wake_the_daemon_once()
    {
        using var wakeup = new RelayWakeup();

        for (var i = 0; i < 50; i++) wakeup.EventsCommitted();

        Assert.True(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(wakeup.WaitAsync(LongPause, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Shutdown_ends_a_pause()
    {
        using var wakeup = new RelayWakeup();
        using var shutdown = new CancellationTokenSource();
        var pause = wakeup.WaitAsync(LongPause, shutdown.Token);

        await shutdown.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pause);
    }
}
