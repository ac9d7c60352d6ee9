using System.Collections.Concurrent;
using Marten;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.ReferenceData;

/// <summary>
/// API keys, apps and providers change rarely and every request reads them, so they are kept in memory
/// for <c>ReferenceData:CacheSeconds</c> (default 5; 0 turns the cache off). <c>load-reference-data</c>
/// notifies every API instance when it commits (<see cref="Channel"/>), which empties the cache at once;
/// the lifetime only bounds how stale an entry can be should a notification be missed. Only what exists
/// is kept: an unknown key or app is looked up again each time, so a newly loaded one works at once.
/// </summary>
public sealed class ReferenceDataCache(IDocumentStore store, IConfiguration configuration, TimeProvider clock)
{
    public const string Channel = "production_tests_reference_data";
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<(Type Type, string Id), Entry> _entries = new();
    // One read per id (or set of ids) however many requests miss it at once, not given up when the request that
    // started it is. Found by the fault suite: after a PostgreSQL restart emptied the cache, every request read
    // for itself, the reads queued for connections past the callers' patience and were cancelled with them,
    // nothing was ever cached, and creates failed for about a minute.
    private readonly SingleFlight<(Type Type, string Id)> _loads = new();
    private readonly TimeSpan _lifetime = TimeSpan.FromSeconds(configuration.GetValue("ReferenceData:CacheSeconds", 5.0));

    private sealed record Entry(object Value, DateTimeOffset ExpiresAt);

    public async Task<T?> LoadAsync<T>(string id, CancellationToken ct) where T : class
    {
        if (Cached<T>(id) is { } cached) return cached;
        return (T?)await _loads.RunAsync((typeof(T), id), async () =>
        {
            // A session of its own, closed at once: a request that then waits (Prefer: wait) holds no connection.
            await using var session = store.QuerySession();
            var loaded = await session.LoadAsync<T>(id);
            if (loaded is not null) Keep(id, loaded);
            return loaded;
        }, ct);
    }

    /// <summary>Those of <paramref name="ids"/> that exist, by id; what is not cached is read in one query.</summary>
    public async Task<IReadOnlyDictionary<string, T>> LoadManyAsync<T>(IReadOnlyCollection<string> ids, Func<T, string> idOf, CancellationToken ct) where T : class
    {
        var found = new Dictionary<string, T>();
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (Cached<T>(id) is { } cached) found[id] = cached;
            else missing.Add(id);
        }
        if (missing.Count == 0) return found;

        var loadedAll = (IReadOnlyList<T>)(await _loads.RunAsync((typeof(IReadOnlyList<T>), string.Join('\n', missing.Order(StringComparer.Ordinal))), async () =>
        {
            await using var session = store.QuerySession();
            var loaded = await session.LoadManyAsync<T>(missing);
            foreach (var one in loaded) Keep(idOf(one), one);
            return loaded;
        }, ct))!;
        foreach (var loaded in loadedAll) found[idOf(loaded)] = loaded;
        return found;
    }

    public void Clear() => _entries.Clear();

    private T? Cached<T>(string id) where T : class =>
        _entries.TryGetValue((typeof(T), id), out var entry) && entry.ExpiresAt > clock.GetUtcNow() ? (T)entry.Value : null;

    private void Keep<T>(string id, T value) where T : class
    {
        if (_lifetime <= TimeSpan.Zero) return;
        // Bounded: ids come from callers, so a flood of distinct (existing) ids must not grow memory without end.
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[(typeof(T), id)] = new Entry(value, clock.GetUtcNow() + _lifetime);
    }
}
