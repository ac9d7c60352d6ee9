using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

public class SingleFlightTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Concurrent_calls_for_one_key_share_one_run()
    {
        var flights = new SingleFlight<string>();
        var release = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;

        var callers = Enumerable.Range(0, 20)
            .Select(_ => flights.RunAsync("key", () => { Interlocked.Increment(ref runs); return release.Task; }, CancellationToken.None))
            .ToList();
        release.SetResult("value");

        Assert.All(await Task.WhenAll(callers).WaitAsync(Patience), value => Assert.Equal("value", value));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_stop_the_run_for_the_others()
    {
        var flights = new SingleFlight<string>();
        var release = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var givesUp = new CancellationTokenSource();
        var runs = 0;
        Task<object?> Call(CancellationToken ct) => flights.RunAsync("key", () => { Interlocked.Increment(ref runs); return release.Task; }, ct);

        var impatient = Call(givesUp.Token);
        var patient = Call(CancellationToken.None);
        await givesUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.WaitAsync(Patience));
        release.SetResult("value");

        Assert.Equal("value", await patient.WaitAsync(Patience));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_failure_reaches_every_waiter_and_the_next_call_runs_again()
    {
        var flights = new SingleFlight<string>();
        var release = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        Task<object?> Call(Func<Task<object?>> work) => flights.RunAsync("key", () => { Interlocked.Increment(ref runs); return work(); }, CancellationToken.None);

        var first = Call(() => release.Task);
        var second = Call(() => release.Task);
        release.SetException(new TimeoutException("database"));
        await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(Patience));
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(Patience));

        Assert.Equal("again", await Call(() => Task.FromResult<object?>("again")).WaitAsync(Patience));
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Different_keys_run_apart()
    {
        var flights = new SingleFlight<string>();

        var a = flights.RunAsync("a", () => Task.FromResult<object?>("A"), CancellationToken.None);
        var b = flights.RunAsync("b", () => Task.FromResult<object?>("B"), CancellationToken.None);

        Assert.Equal("A", await a.WaitAsync(Patience));
        Assert.Equal("B", await b.WaitAsync(Patience));
    }
}
