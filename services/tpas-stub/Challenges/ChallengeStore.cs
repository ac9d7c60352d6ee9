using System.Collections.Concurrent;

namespace ProductionTests.TpasStub.Challenges;

/// <summary>
/// Challenges in memory, one per request id. Creation takes a lock so that concurrent duplicates of
/// one request create exactly one challenge; reads go straight to the dictionaries.
/// </summary>
public sealed class ChallengeStore
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Challenge> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Challenge> _byRequestId = new(StringComparer.Ordinal);

    /// <returns>The request's challenge, and whether it was created by this call.</returns>
    public (Challenge Challenge, bool Created) GetOrCreate(string requestId, Func<Challenge> create)
    {
        lock (_gate)
        {
            if (_byRequestId.TryGetValue(requestId, out var existing)) return (existing, false);
            var challenge = create();
            _byId[challenge.Id] = challenge;
            _byRequestId[requestId] = challenge;
            return (challenge, true);
        }
    }

    public Challenge? Find(string id) => _byId.GetValueOrDefault(id);

    public Challenge? FindByRequestId(string requestId) => _byRequestId.GetValueOrDefault(requestId);

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<Challenge> All() => _byId.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
}
