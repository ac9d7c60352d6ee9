using System.Collections.Concurrent;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// Concurrent calls for the same key share one run of the work, and a caller that stops waiting (its
/// request aborted) does not stop the work for the others. Once the work ends, well or not, the next
/// call runs it again. The work must bound its own time (here: Npgsql's timeouts).
/// </summary>
public sealed class SingleFlight<TKey> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<object?>>> _flights = new();

    public Task<object?> RunAsync(TKey key, Func<Task<object?>> work, CancellationToken ct)
    {
        Lazy<Task<object?>>? mine = null;
        mine = new Lazy<Task<object?>>(() => Task.Run(async () =>
        {
            try { return await work(); }
            // Gone before the task completes, so whoever sees it completed and calls again starts afresh.
            finally { _flights.TryRemove(KeyValuePair.Create(key, mine!)); }
        }));
        return _flights.GetOrAdd(key, mine).Value.WaitAsync(ct);
    }
}
