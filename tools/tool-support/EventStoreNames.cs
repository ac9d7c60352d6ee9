namespace ProductionTests.Tools;

/// <summary>Names in requests-api's event store, for tools that read it with plain SQL.</summary>
public static class EventStoreNames
{
    public const string Schema = "production_tests";

    /// <summary>
    /// Marten's type names: challenge_requested, challenge_scheduled, challenge_failed (version 1) and
    /// challenge_failed_v2; later versions get _v3... suffixes.
    /// </summary>
    public const string RequestedTypes = "(type = 'challenge_requested' OR type LIKE 'challenge\\_requested\\_v%')";
    public const string OutcomeTypes = "(type = 'challenge_scheduled' OR type LIKE 'challenge\\_scheduled\\_v%' OR type = 'challenge_failed' OR type LIKE 'challenge\\_failed\\_v%')";

    /// <summary>
    /// Marten's own stream: when an append fails after it took sequence numbers, Marten fills the gap
    /// with <c>tombstone</c> events in this stream. Not a request.
    /// </summary>
    public const string TombstoneStream = "mt_tombstone";
}
