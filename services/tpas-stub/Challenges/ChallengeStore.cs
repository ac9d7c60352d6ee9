using System.Collections.Concurrent;

namespace ProductionTests.TpasStub.Challenges;

/// <summary>
/// Challenges in memory, one per request id. Creation and changes take a lock so that concurrent
/// duplicates of one request create exactly one challenge and concurrent changes (a deactivation, the
/// last stamp claimed) compose rather than overwrite each other; reads go straight to the dictionaries.
/// A challenge is kept once, by id, so every read answers its current state.
/// </summary>
public sealed class ChallengeStore
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Challenge> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _idByRequestId = new(StringComparer.Ordinal);

    /// <returns>The request's challenge, and whether it was created by this call.</returns>
    public (Challenge Challenge, bool Created) GetOrCreate(string requestId, Func<Challenge> create)
    {
        lock (_gate)
        {
            if (FindByRequestId(requestId) is { } existing) return (existing, false);
            var challenge = create();
            _byId[challenge.Id] = challenge;
            _idByRequestId[requestId] = challenge.Id;
            return (challenge, true);
        }
    }

    /// <returns>The challenge as changed, or null when no challenge has this id.</returns>
    public Challenge? Update(string id, Func<Challenge, Challenge> change)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var current)) return null;
            var changed = change(current);
            _byId[id] = changed;
            return changed;
        }
    }

    public Challenge? Find(string id) => _byId.GetValueOrDefault(id);

    public Challenge? FindByRequestId(string requestId) =>
        _idByRequestId.TryGetValue(requestId, out var id) ? Find(id) : null;

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<Challenge> All() => _byId.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
}
