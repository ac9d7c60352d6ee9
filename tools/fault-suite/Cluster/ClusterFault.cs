namespace ProductionTests.FaultSuite.Cluster;

/// <summary>One fault of the run: what was hit, when, what showed it took effect, and what it cost.</summary>
public sealed class ClusterFault
{
    public required string Name { get; init; }
    public required int Slot { get; init; }
    public string Target { get; set; } = "";
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset SlotEnd { get; set; }
    /// <summary>What showed the fault took effect (the process gone, the leadership moved...): never set from having tried.</summary>
    public List<string> Observed { get; } = [];
    public List<string> Problems { get; } = [];
    public bool Injected => Observed.Count > 0 && Problems.Count == 0;

    public TimeSpan? RelayAgain { get; set; }
    public TimeSpan CreateOutage { get; set; }
    public TimeSpan PublishStall { get; set; }
    public TimeSpan ConsumeStall { get; set; }

    /// <summary>The targets for this fault, as (what, limit, measured) triples.</summary>
    public IEnumerable<(string What, TimeSpan Limit, TimeSpan? Measured)> Targets()
    {
        switch (Name)
        {
            case ClusterFaults.ApiLeaderKill:
                yield return ("relay publishing again", TimeSpan.FromSeconds(10), RelayAgain);
                yield return ("creates succeeding again", TimeSpan.FromSeconds(5), CreateOutage);
                break;
            case ClusterFaults.ApiFollowerKill:
                yield return ("creates succeeding again", TimeSpan.FromSeconds(5), CreateOutage);
                break;
            case ClusterFaults.RabbitLeaderKill or ClusterFaults.RabbitOtherKill:
                yield return ("longest publish stall", TimeSpan.FromSeconds(15), PublishStall);
                yield return ("longest consume stall", TimeSpan.FromSeconds(15), ConsumeStall);
                break;
            case ClusterFaults.PostgresPrimaryKill:
                yield return ("creates succeeding again", TimeSpan.FromSeconds(30), CreateOutage);
                break;
        }
    }
}
