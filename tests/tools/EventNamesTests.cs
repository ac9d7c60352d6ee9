using ProductionTests.Contracts;
using ProductionTests.FaultSuite;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.ToolTests;

/// <summary>
/// The tools read the event store with names of their own (they judge the service from outside); every
/// name the service's registry stores, old versions included, must be read as the right kind of event.
/// </summary>
public class EventNamesTests
{
    public static TheoryData<string, string> StoredNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in RequestEvents.All)
            foreach (var name in type.StoredNames)
                data.Add(name, type.Type.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(StoredNames))]
    public void The_fault_suite_reads_every_stored_name_as_its_kind(string storedName, string recordName)
    {
        var e = new StoredEvent("req_x", storedName, DateTimeOffset.UnixEpoch, null, null);

        var kind = (e.IsRequested, e.IsScheduled, e.IsFailed) switch
        {
            (true, false, false) => nameof(ChallengeRequested),
            (false, true, false) => nameof(ChallengeScheduled),
            (false, false, true) => nameof(ChallengeFailed),
            _ => "none or several",
        };
        Assert.Equal(recordName, kind);
    }

    [Fact]
    public void Every_event_of_the_registry_is_one_the_tools_know()
    {
        // A new event here: teach EventStoreNames and StoredEvent its names, then add it to this list.
        Assert.Equal(
            [nameof(ChallengeFailed), nameof(ChallengeRequested), nameof(ChallengeScheduled)],
            RequestEvents.All.Select(e => e.Type.Name).Order());
    }
}
