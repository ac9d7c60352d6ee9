namespace ProductionTests.FaultSuite.Cluster;

/// <summary>The crash faults of the cluster suite, in the order it runs them (docs/cluster.md).</summary>
public static class ClusterFaults
{
    public const string ApiLeaderKill = "api-leader-kill";        // the API instance that runs the relay
    public const string ApiFollowerKill = "api-follower-kill";    // the one that does not
    public const string SchedulerKill = "scheduler-kill";
    public const string RabbitLeaderKill = "rabbit-leader-kill";  // the node leading the scheduler's quorum queue
    public const string RabbitOtherKill = "rabbit-other-kill";    // a node leading neither of our queues, if any
    public const string PostgresPrimaryKill = "pg-primary-kill";  // automatic failover to the standby
    public const string ApiNetworkCut = "api-pg-cut";             // api-2 cut off PostgreSQL for 10 s (network namespace)

    public static readonly IReadOnlyList<string> All =
        [ApiLeaderKill, ApiFollowerKill, SchedulerKill, RabbitLeaderKill, RabbitOtherKill, PostgresPrimaryKill, ApiNetworkCut];

    /// <summary>--short (CI): one crash of each engine that fails over.</summary>
    /// <summary>The RabbitMQ node last: a node takes most of a minute to boot here, and only the last fault's part need not be back before the verdict.</summary>
    public static readonly IReadOnlyList<string> Short = [ApiLeaderKill, PostgresPrimaryKill, RabbitLeaderKill];
}

/// <summary>The cluster suite's command line: <c>cluster [--short] [--rate N] [--slot S] [--faults a,b]</c>.</summary>
public sealed record ClusterOptions
{
    public double Rate { get; init; } = 20;
    /// <summary>Each fault's stretch of load: the fault, the restart of what was killed, the recovery.</summary>
    public TimeSpan Slot { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Baseline { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>With no faults: how long the steady load lasts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Between a SIGKILL and the restart (revive) of what was killed.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan CutLength { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan DrainDeadline { get; init; } = TimeSpan.FromSeconds(90);
    public IReadOnlyList<string> Faults { get; init; } = ClusterFaults.All;
    public bool Short { get; init; }
    public string Url { get; init; } = "http://127.0.0.1:18080/";
    public string? Root { get; init; }

    public const string Usage = """
        Usage: deploy/cluster-fault-suite.sh [--short] [--rate N] [--slot S] [--faults LIST]
          Runs against the cluster of deploy/cluster.sh (started by the script), through HAProxy.
          --short         the CI form: api-leader-kill, pg-primary-kill, rabbit-leader-kill, 20 s slots
          --rate N        creates per second (default 20)
          --slot S        seconds of load per fault (default 30)
          --faults LIST   comma-separated, from: api-leader-kill, api-follower-kill, scheduler-kill,
                          rabbit-leader-kill, rabbit-other-kill, pg-primary-kill, api-pg-cut;
                          none: steady load only (a measurement; the cluster need not be whole, e.g. one API stopped)
          --duration S    with --faults none: seconds of load (default 30)
        Exit code: 0 every rule held, 1 one broke, 2 the suite could not run.
        """;

    public static ClusterOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ClusterOptions();
        if (args.Contains("--short")) options = options with { Short = true, Faults = ClusterFaults.Short, Slot = TimeSpan.FromSeconds(20) };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--short" or "--help": break;
                case "--rate": options = options with { Rate = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) }; break;
                case "--slot": options = options with { Slot = TimeSpan.FromSeconds(double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture)) }; break;
                case "--faults":
                    var value = Value();
                    // none: steady load only, for the throughput and latency measurements (docs/cluster.md)
                    var faults = value == "none" ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (faults.FirstOrDefault(f => !ClusterFaults.All.Contains(f)) is { } unknown) throw new UsageException($"unknown fault {unknown}");
                    options = options with { Faults = faults };
                    break;
                case "--duration": options = options with { Duration = TimeSpan.FromSeconds(double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture)) }; break;
                case "--url": options = options with { Url = Value() }; break;
                case "--root": options = options with { Root = Value() }; break;
                default: throw new UsageException($"unknown option {args[i]}");
            }
        }
        return options;
    }
}
