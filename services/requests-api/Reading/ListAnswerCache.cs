using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>Configuration section <c>List</c>.</summary>
public sealed class ListOptions
{
    /// <summary>Memory for list answers kept by their app's list version (<see cref="ListAnswerCache"/>); 0 keeps none.</summary>
    public int CacheMegabytes { get; set; } = 32;
}

/// <summary>An answer of the list as it was at one list version: its body and, for a page with more after it, the next page's query.</summary>
public sealed record KeptListAnswer(long Version, byte[] Body, string? NextQuery);

/// <summary>
/// List answers of at most <see cref="ListQuery.MaxLimit"/> items, each kept under its app, its query and the app's list
/// version it was read at. One is given again only for that same version, just read from the database
/// (<see cref="ListVersionReader"/>): the version changes in the transaction of every change to the app's views, so an
/// answer kept for version V is exactly what reading the items again would give while the version is V, on any instance.
/// A poller asking the same question again, the way the contract tells callers to, costs a version read, not a page read.
/// Bounded by size (least recently used go first), and an answer unused for ten minutes is dropped.
/// </summary>
public sealed class ListAnswerCache : IDisposable
{
    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(10);
    // What an entry costs beside its body: the key, the record, the cache's own bookkeeping.
    private const int EntryOverhead = 256;

    private readonly MemoryCache? _cache;

    public ListAnswerCache(IOptions<ListOptions> options)
    {
        var megabytes = options.Value.CacheMegabytes;
        if (megabytes > 0) _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = megabytes * 1024L * 1024L });
    }

    /// <summary>The answer kept for this app, query and version, if any.</summary>
    public KeptListAnswer? Find(string clientId, string canonicalQuery, long version) =>
        _cache is not null && _cache.TryGetValue(Key(clientId, canonicalQuery), out KeptListAnswer? kept) && kept!.Version == version ? kept : null;

    public void Keep(string clientId, string canonicalQuery, KeptListAnswer answer)
    {
        if (_cache is null) return;
        using var entry = _cache.CreateEntry(Key(clientId, canonicalQuery));
        entry.Value = answer;
        entry.Size = answer.Body.Length + clientId.Length + canonicalQuery.Length + EntryOverhead;
        entry.SlidingExpiration = Unused;
    }

    private static string Key(string clientId, string canonicalQuery) => $"{clientId}?{canonicalQuery}";

    public void Dispose() => _cache?.Dispose();
}
