using System.Diagnostics;

namespace ProductionTests.RequestsApi.Waiting;

/// <summary>
/// Callers waiting for a request's outcome, by request id. <see cref="OutcomeNotifications"/> wakes them
/// when PostgreSQL says an outcome was committed (by any API instance); a woken waiter reads the view
/// once. No waiter polls the database.
/// </summary>
public sealed class OutcomeWaiters
{
    private readonly Dictionary<string, List<Waiter>> _byRequest = new(StringComparer.Ordinal);

    public Waiter Register(string requestId)
    {
        var waiter = new Waiter(this, requestId);
        lock (_byRequest)
        {
            if (!_byRequest.TryGetValue(requestId, out var list)) _byRequest[requestId] = list = [];
            list.Add(waiter);
        }
        return waiter;
    }

    public int Count
    {
        get { lock (_byRequest) return _byRequest.Values.Sum(l => l.Count); }
    }

    /// <summary>Wakes the request's waiters; returns the trace context each waits in (default when untraced).</summary>
    public IReadOnlyList<ActivityContext> Notify(string requestId)
    {
        lock (_byRequest)
        {
            if (!_byRequest.TryGetValue(requestId, out var list)) return [];
            foreach (var waiter in list) waiter.Wake();
            return [.. list.Select(w => w.Context)];
        }
    }

    /// <summary>After the listener lost its connection a notification may have been missed: everyone looks again.</summary>
    public void NotifyAll()
    {
        lock (_byRequest)
        {
            foreach (var waiter in _byRequest.Values.SelectMany(l => l)) waiter.Wake();
        }
    }

    private void Remove(Waiter waiter)
    {
        lock (_byRequest)
        {
            if (!_byRequest.TryGetValue(waiter.RequestId, out var list)) return;
            list.Remove(waiter);
            if (list.Count == 0) _byRequest.Remove(waiter.RequestId);
        }
    }

    public sealed class Waiter(OutcomeWaiters owner, string requestId) : IDisposable
    {
        private readonly SemaphoreSlim _woken = new(0);
        public string RequestId { get; } = requestId;
        /// <summary>The span of the caller that waits (its GET), if traced.</summary>
        public ActivityContext Context { get; } = Activity.Current?.Context ?? default;

        internal void Wake()
        {
            if (_woken.CurrentCount == 0) _woken.Release();
        }

        /// <summary>True when woken, false when the time ran out.</summary>
        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _woken.WaitAsync(timeout, ct);

        public void Dispose()
        {
            owner.Remove(this);
            _woken.Dispose();
        }
    }
}
