using ProductionTests.FaultSuite;
using ProductionTests.Tools;

namespace ProductionTests.ToolTests;

/// <summary>
/// A crafted fault-suite run that passes: one fault (api-kill) seen to take effect, one request before it and
/// one after it, each with one ChallengeRequested, one outcome, one challenge booked in one call, queues empty.
/// Each verdict test breaks one thing of it.
/// </summary>
public sealed class CleanRun
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    public const string WarmUp = "req_warm_up";

    public SuiteOptions Options { get; }
    public Timeline Timeline { get; }
    public List<RequestRecord> Requests { get; } = [];
    public List<StoredEvent> Events { get; } = [];
    public List<string> Streams { get; } = [WarmUp];
    public List<StubChallenge> Challenges { get; } = [];
    public List<StubBooking> Bookings { get; } = [new(WarmUp, 1, 1)];
    public List<QueueDepth>? Queues { get; set; } = [.. Analysis.PlatformQueues.Select(q => new QueueDepth(q, 0, 0)), new("scheduler-challenge-requested_error", 0, 0)];

    public CleanRun(string faultName = FaultNames.ApiKill)
    {
        Options = new SuiteOptions { Faults = [faultName] };
        Timeline = new Timeline(T0, Options.Faults, TimeSpan.FromSeconds(20));
        var fault = Timeline.Slots[1];
        fault.Start = fault.FaultStart = T0.AddSeconds(5);
        fault.FaultEnd = T0.AddSeconds(8);
        fault.Observed.Add("requests-api pid 42 gone");
        Events.Add(new StoredEvent(WarmUp, "challenge_requested", T0.AddSeconds(-2), "warm-up", null));
        Events.Add(new StoredEvent(WarmUp, "challenge_scheduled", T0.AddSeconds(-1), null, "chl_warm_up"));
        Challenges.Add(new StubChallenge("chl_warm_up", WarmUp));
        AddAccepted(0, slot: 0, sentAt: 1);
        AddAccepted(1, slot: 1, sentAt: 10);
    }

    public RequestRecord AddAccepted(int index, int slot, double sentAt)
    {
        var id = $"req_{index}";
        var request = AddSent(index, slot, sentAt);
        request.RequestId = id;
        request.RequestIdsSeen.Add(id);
        request.AcceptedAt = request.FirstSentAt.AddMilliseconds(20);
        Streams.Add(id);
        Events.Add(new StoredEvent(id, "challenge_requested", request.FirstSentAt.AddMilliseconds(10), request.Title, null));
        Events.Add(new StoredEvent(id, "challenge_scheduled", request.FirstSentAt.AddMilliseconds(500), null, $"chl_{index}"));
        Challenges.Add(new StubChallenge($"chl_{index}", id));
        Bookings.Add(new StubBooking(id, 1, 1));
        return request;
    }

    public RequestRecord AddSent(int index, int slot, double sentAt)
    {
        var request = new RequestRecord
        {
            Index = index,
            Key = $"fault-suite-test-{index:D6}",
            Title = $"Fault suite test #{index}",
            Slot = slot,
            FirstSentAt = T0.AddSeconds(sentAt),
            Attempts = 1,
            Done = true,
        };
        Requests.Add(request);
        return request;
    }

    public SuiteResult Analyse() => Analysis.Analyse(Options, Timeline, Evidence());

    public SuiteEvidence Evidence() => new()
    {
        Requests = Requests,
        WarmUpRequestId = WarmUp,
        Events = Events,
        StreamIds = Streams,
        StubChallenges = Challenges,
        Bookings = Bookings,
        Queues = Queues,
        Drain = TimeSpan.FromSeconds(1),
        Drained = true,
    };
}
