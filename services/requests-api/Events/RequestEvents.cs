using Marten;
using ProductionTests.Contracts;

namespace ProductionTests.RequestsApi.Events;

/// <summary>
/// Every event a request's stream holds, in one list: its current record, the name Marten stores it
/// under, its older shapes with their upcasters, and whether the relay publishes it. The event store,
/// the relay and its health check, the ops commands and the view rebuild all read this list, so a new
/// event or version is declared here once (RequestEventsTests holds it to the contracts and to Marten).
/// </summary>
public static class RequestEvents
{
    public static readonly IReadOnlyList<RequestEventType> All =
    [
        RequestEventType.Of<ChallengeRequested>("challenge_requested", relayed: true),
        RequestEventType.Of<ChallengeScheduled>("challenge_scheduled"),
        RequestEventType.Of<ChallengeFailed>("challenge_failed_v2", schemaVersion: 2,
            OldEventVersion.Of<ChallengeFailedV1, ChallengeFailed>(ChallengeFailedV1.EventTypeName, ChallengeFailedV1.Upcast)),
    ];

    /// <summary>The events the relay publishes from the store (the outcomes reach the bus from the scheduler).</summary>
    public static IEnumerable<RequestEventType> Relayed => All.Where(e => e.Relayed);

    /// <summary>Registers every type, its stored name and its upcasters, so every process (the ops commands too) maps names to types.</summary>
    public static void AddTo(StoreOptions options)
    {
        foreach (var type in All) type.AddTo(options);
    }

    /// <summary>The entry for an event's current record; null for anything else.</summary>
    public static RequestEventType? Of(object data) => All.FirstOrDefault(e => e.Type == data.GetType());

    /// <summary>By every name an event was ever stored under: the record it was stored as, and how it becomes the current record.</summary>
    public static IReadOnlyDictionary<string, (Type Stored, Func<object, object> ToCurrent)> ByStoredName { get; } =
        All.SelectMany(e => e.OldVersions.Select(old => (old.StoredName, (old.Type, old.Upcast)))
                .Prepend((e.StoredName, (e.Type, (Func<object, object>)(data => data)))))
            .ToDictionary(p => p.Item1, p => p.Item2);
}

/// <summary>One event type of a request's stream, at its current version.</summary>
public sealed class RequestEventType
{
    private readonly Action<StoreOptions> _map;

    private RequestEventType(Type type, string storedName, uint schemaVersion, bool relayed, IReadOnlyList<OldEventVersion> oldVersions, Action<StoreOptions> map)
    {
        Type = type;
        StoredName = storedName;
        SchemaVersion = schemaVersion;
        Relayed = relayed;
        OldVersions = oldVersions;
        _map = map;
        // Every event of a request names its app: the list's version (AppListVersions) is bumped by it.
        var clientId = type.GetProperty("ClientId") is { PropertyType: var t } property && t == typeof(string)
            ? property
            : throw new InvalidOperationException($"{type.Name} has no string ClientId: every event of a request must name its app.");
        ClientIdOf = data => (string)clientId.GetValue(data)!;
    }

    public Type Type { get; }

    /// <summary>Marten's name for it in <c>mt_events.type</c>: snake case, <c>_v{n}</c> from version 2.</summary>
    public string StoredName { get; }

    public uint SchemaVersion { get; }

    /// <summary>The app an event of this type belongs to.</summary>
    public Func<object, string> ClientIdOf { get; }

    /// <summary>Published to the bus by the relay as it is committed.</summary>
    public bool Relayed { get; }

    /// <summary>A record of the contracts: it may be published (and republished by the ops commands).</summary>
    public bool OnTheBus => Type.Assembly == typeof(ChallengeRequested).Assembly;

    public IReadOnlyList<OldEventVersion> OldVersions { get; }

    /// <summary>Every name this event was stored under, current first.</summary>
    public IReadOnlyList<string> StoredNames => [StoredName, .. OldVersions.Select(o => o.StoredName)];

    public static RequestEventType Of<T>(string storedName, uint schemaVersion = 1, params OldEventVersion[] oldVersions) where T : class =>
        Of<T>(storedName, schemaVersion, relayed: false, oldVersions);

    public static RequestEventType Of<T>(string storedName, bool relayed) where T : class =>
        Of<T>(storedName, 1, relayed, []);

    private static RequestEventType Of<T>(string storedName, uint schemaVersion, bool relayed, OldEventVersion[] oldVersions) where T : class =>
        new(typeof(T), storedName, schemaVersion, relayed, oldVersions, options =>
        {
            options.Events.AddEventType<T>();
            if (schemaVersion > 1) options.Events.MapEventTypeWithSchemaVersion<T>(schemaVersion);
        });

    internal void AddTo(StoreOptions options)
    {
        _map(options);
        foreach (var old in OldVersions) old.AddTo(options);
    }
}

/// <summary>An older shape of an event, still in the store under its old name, and how to read it as the current record.</summary>
public sealed class OldEventVersion
{
    private readonly Action<StoreOptions> _register;

    private OldEventVersion(Type type, string storedName, Func<object, object> upcast, Action<StoreOptions> register)
    {
        Type = type;
        StoredName = storedName;
        Upcast = upcast;
        _register = register;
    }

    public Type Type { get; }
    public string StoredName { get; }
    public Func<object, object> Upcast { get; }

    public static OldEventVersion Of<TOld, TCurrent>(string storedName, Func<TOld, TCurrent> upcast) where TOld : class where TCurrent : class =>
        new(typeof(TOld), storedName, old => upcast((TOld)old), options => options.Events.Upcast(storedName, upcast));

    internal void AddTo(StoreOptions options) => _register(options);
}
