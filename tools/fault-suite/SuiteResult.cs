namespace ProductionTests.FaultSuite;

/// <summary>The figures of one slot (or of the whole run).</summary>
public sealed record SlotFigures
{
    public required string Slot { get; init; }
    public double? FaultStartSeconds { get; init; }
    public double? FaultEndSeconds { get; init; }
    public double? OutageSeconds { get; init; }
    public bool? Injected { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    public int Sent { get; init; }
    public int Accepted { get; init; }
    public int NotAccepted { get; init; }
    public int Rejected { get; init; }
    public int Scheduled { get; init; }
    public int Failed { get; init; }
    public int Lost { get; init; }
    public int Duplicated { get; init; }
    public int Mismatched { get; init; }
    public int Retried { get; init; }
    public int Replayed { get; init; }
    public double? RecoverSeconds { get; init; }
    public double? CaughtUpSeconds { get; init; }
    public double? LatencyP50Seconds { get; init; }
    public double? LatencyMaxSeconds { get; init; }
    /// <summary>After the fault, no outcome at all for --stall seconds while accepted requests waited.</summary>
    public bool Stalled { get; init; }
    public int StalledPending { get; init; }
}

/// <summary>One request that broke a promise, with the evidence.</summary>
public sealed record Finding(string Kind, string Slot, string Key, string? RequestId, string Detail);

/// <summary>What the analysis compares: the load's records, the event store, the stub and the broker after the drain.</summary>
public sealed record SuiteEvidence
{
    public required IReadOnlyList<RequestRecord> Requests { get; init; }
    public string? WarmUpRequestId { get; init; }
    public required IReadOnlyList<StoredEvent> Events { get; init; }
    public required IReadOnlyList<string> StreamIds { get; init; }
    public IReadOnlyDictionary<string, string> KeyRecords { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<StubChallenge> StubChallenges { get; init; } = [];
    public IReadOnlyList<StubBooking> Bookings { get; init; } = [];
    /// <summary>Every queue of the run's vhost after the drain; null when the management API could not be read.</summary>
    public required IReadOnlyList<QueueDepth>? Queues { get; init; }
    public long Tombstones { get; init; }
    public TimeSpan Drain { get; init; }
    public bool Drained { get; init; }
}

public sealed record SuiteResult
{
    public required DateTimeOffset StartedAt { get; init; }
    public required double Rate { get; init; }
    public required double DurationSeconds { get; init; }
    public required double LoadSeconds { get; init; }
    public required bool Short { get; init; }
    public required double OutageSeconds { get; init; }
    public required IReadOnlyList<string> Faults { get; init; }
    public required IReadOnlyList<SlotFigures> Slots { get; init; }
    public required SlotFigures Overall { get; init; }
    /// <summary>Streams created for a key whose client never got a 201 (it gave up): not promises.</summary>
    public required int CreatedWithout201 { get; init; }
    /// <summary>Of those, how many have no outcome.</summary>
    public required int CreatedWithout201Pending { get; init; }
    /// <summary>Streams that no request of the load (nor the warm-up) accounts for.</summary>
    public required int UnexpectedStreams { get; init; }
    /// <summary>Stub challenges for a request id the event store does not have.</summary>
    public required int StubChallengesWithoutRequest { get; init; }
    /// <summary>Booking calls at the stub for a key that is no committed request.</summary>
    public required int PhantomBookingCalls { get; init; }
    /// <summary>Booking calls at the stub for the load's accepted requests, and how many of those requests needed more than one.</summary>
    public required int BookingCalls { get; init; }
    public required int Rebooked { get; init; }
    /// <summary>Final 4xx answers to the load's creates that the contract does not allow for them.</summary>
    public required int UndocumentedRejections { get; init; }
    /// <summary>Every queue of the vhost holding messages after the drain; null when they could not be read.</summary>
    public required IReadOnlyList<QueueDepth>? NonEmptyQueues { get; init; }
    /// <summary>Marten's tombstone events (appends that failed after taking sequence numbers); not requests.</summary>
    public required long Tombstones { get; init; }
    public required double DrainSeconds { get; init; }
    public required bool Drained { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    public required IReadOnlyDictionary<string, string> Definitions { get; init; }
    /// <summary>Each rule the run broke, in words; empty when it passed.</summary>
    public required IReadOnlyList<string> Verdict { get; init; }
    public bool Passed => Verdict.Count == 0;
}
