using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

public class WakeSignalTests
{
    private static readonly TimeSpan Never = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Many_sets_wake_one_wait_and_do_not_throw()
    {
        using var signal = new WakeSignal();
        for (var i = 0; i < 1000; i++) signal.Set();
        Assert.True(await signal.WaitAsync(Never, CancellationToken.None));
        Assert.False(await signal.WaitAsync(Never, CancellationToken.None));
    }

    [Fact]
    public async Task A_set_after_a_wait_woke_wakes_the_next_wait()
    {
        using var signal = new WakeSignal();
        Assert.False(await signal.WaitAsync(Never, CancellationToken.None));
        signal.Set();
        Assert.True(await signal.WaitAsync(Never, CancellationToken.None));
        signal.Set();
        Assert.True(await signal.WaitAsync(Never, CancellationToken.None));
    }

    [Fact]
    public async Task A_set_from_another_thread_while_waiting_is_never_lost()
    {
        using var signal = new WakeSignal();
        for (var round = 0; round < 2000; round++)
        {
            var set = Task.Run(signal.Set);
            Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), $"round {round}");
            await set;
        }
    }
}
