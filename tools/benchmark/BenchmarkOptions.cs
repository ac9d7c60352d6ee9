namespace ProductionTests.Benchmark;

/// <summary>The command line; defaults are the full form, <c>--quick</c> a ~3-minute smoke form.</summary>
public sealed record BenchmarkOptions
{
    public bool Quick { get; init; }
    public bool Help { get; init; }
    public bool Keep { get; init; }
    public int Connections { get; init; } = 32;
    /// <summary>Measured seconds of each closed-loop phase (baseline, POST, growth).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Unmeasured load before each phase's measurement (connections, JIT, pools).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);
    public double LatencyRate { get; init; } = 200;
    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(30);
    public double StepStart { get; init; } = 400;
    public double StepIncrease { get; init; } = 200;
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(10);
    public double StepMax { get; init; } = 5000;
    public long RebuildEvents { get; init; } = 200_000;
    public long GrowthEvents { get; init; } = 2_000_000;
    public bool SkipCreateAlone { get; init; }
    public bool SkipSustained { get; init; }
    public bool SkipRebuild { get; init; }
    public bool SkipMartenRebuild { get; init; }
    public bool SkipGrowth { get; init; }
    /// <summary>Phase 6: the list of an app with <see cref="ListRequests"/> requests.</summary>
    public bool SkipList { get; init; }
    /// <summary>Only phase 6 (after the warm-up request): no other phase, no other fill.</summary>
    public bool ListOnly { get; init; }
    public long ListRequests { get; init; } = 100_000;
    /// <summary>Connections for the whole (unpaged) list: each answer is ~76 MB at 100,000 requests, built in memory.</summary>
    public int ListFullConnections { get; init; } = 4;
    /// <summary>Waiting for outcomes (between phases): give up once none came for this long.</summary>
    public TimeSpan DrainPatience { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Only phase 7 (webhooks under load, a crash of the dispatcher): not part of the full form.</summary>
    public bool WebhooksOnly { get; init; }
    public double WebhookRate { get; init; } = 200;
    public TimeSpan WebhookDuration { get; init; } = TimeSpan.FromSeconds(60);
    public int WebhookSlowMs { get; init; } = 2000;
    public int ReceiverPort { get; init; } = 5293;
    public int DispatcherPort { get; init; } = 5294;
    /// <summary>Phase 7's dead receiver: a port nothing listens on.</summary>
    public int DeadReceiverPort { get; init; } = 5295;
    public int ApiPort { get; init; } = 5280;
    public int StubPort { get; init; } = 5290;
    public int SchedulerPort { get; init; } = 5291;
    public int BaselinePort { get; init; } = 5292;
    public string? Root { get; init; }
    public string? ResultPath { get; init; }

    /// <summary>The open-loop warm-up before a sustained-rate step's measurement.</summary>
    public TimeSpan StepWarmUp => Quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2);

    public const string Usage = """
        Usage: deploy/benchmark.sh [options]    (or: dotnet tools/benchmark/bin/Release/net10.0/ProductionTests.Benchmark.dll [options])

        Starts tpas-stub, the scheduler and requests-api (Release) in a database and RabbitMQ vhost of their own and measures:
          1 baseline      POST to tools/benchmark-baseline (one INSERT through Npgsql, requests-api's Kestrel and connection settings)
                          at --connections, closed loop
          2 POST          POST production-tests at --connections, closed loop, each with its own Idempotency-Key
          2b create alone phase 2 again with requests-api restarted without its relay (Relay__Enabled=false): nothing published
          3 latency       create-to-scheduled at --latency-rate requests/s, open loop; backlog and drain after the load
          4 sustained     open-loop steps from --step-start up by --step-increase until outcomes stop keeping up
          5 rebuild       bulk fill to --rebuild-events events (requests-api stopped), time 'rebuild-views', then Marten's
                          'projections rebuild' of the same view
            growth        bulk fill to --growth-events events, POST at --connections again, ratio to phase 2
          6 list          bulk fill of app AcS7hop2 to --list-requests requests, then GET its list at --connections: a page of 50,
                          a filtered page, a page deep in the list, a 304 revalidation, and the whole list (--list-full-connections)
          7 webhooks      (--webhooks-only, not in the full form) creates at --webhook-rate/s over three apps whose webhooks go to a
                          healthy receiver, a slow one (--webhook-slow-ms) and a dead port, the dispatcher in an instance of its own
                          SIGKILLed halfway: lost and duplicate deliveries, healthy delivery latency, the dispatcher's memory
            memory        each service's peak resident memory (VmHWM, and VmRSS sampled every 0.5 s)
        Between phases it waits until every created request has its outcome.

          --quick                 smoke form, about 3 minutes: 5 s phases, 2 s warm-up, 8 s latency phase, 4 s steps,
                                  fills of 20,000 / 100,000 events
          --connections N         closed-loop connections (default 32)
          --duration S            measured seconds of phases 1, 2 and growth (default 30)
          --warm-up S             unmeasured seconds before each phase (default 5)
          --latency-rate N        phase 3 requests/s (default 200)
          --latency-duration S    phase 3 measured seconds (default 30)
          --step-start N, --step-increase N, --step-duration S, --step-max N
                                  phase 4 steps (default 400, +200, 10 s, at most 5000/s)
          --rebuild-events N      events in the store for the rebuild (default 200000)
          --growth-events N       events in the store for the growth run (default 2000000)
          --skip-create-alone, --skip-sustained, --skip-rebuild, --skip-growth, --skip-list
                                  leave a phase out (rebuild, growth and list out: no fill)
          --skip-marten-rebuild   in phase 5, time rebuild-views only, not also Marten's projections rebuild
          --list-only             only phase 6 (with the warm-up request); the table has its rows alone
          --list-requests N       requests in the list of phase 6 (default 100000)
          --list-full-connections N
                                  connections for the whole list in phase 6 (default 4: each answer is built in memory)
          --webhooks-only         only phase 7; exit code 1 when a delivery was lost or duplicated beyond the ambiguous attempts
          --webhook-rate N, --webhook-duration S, --webhook-slow-ms MS
                                  phase 7's creates/s (default 200), seconds (default 60; --quick 20) and slow receiver (default 2000)
          --receiver-port P, --dispatcher-port P, --dead-receiver-port P
                                  phase 7's webhook receiver, dispatcher instance and dead port (default 5293, 5294, 5295)
          --drain S               between phases, give up waiting for outcomes once none came for S seconds (default 60)
          --api-port P, --stub-port P, --scheduler-port P, --baseline-port P
                                  the services' and the baseline's ports (default 5280, 5290, 5291, 5292)
          --keep                  keep the database and vhost
          --root DIR              the checkout (default: found from the current directory)
          --result FILE           the JSON (default .data/benchmark/result.json)
          -h, --help              this text

        Needs ConnectionStrings__Postgres, ConnectionStrings__RabbitMq and RabbitMq__ManagementUrl (source .data/env)
        and the Release builds of the three services and tools/benchmark-baseline. Logs: .data/benchmark/logs/.
        Exit code: 0 when the benchmark ran (missed targets included), 2 when it could not run.
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        if (args.Contains("--quick"))
            options = options with
            {
                Quick = true,
                Duration = TimeSpan.FromSeconds(5),
                WarmUp = TimeSpan.FromSeconds(2),
                LatencyDuration = TimeSpan.FromSeconds(8),
                StepDuration = TimeSpan.FromSeconds(4),
                RebuildEvents = 20_000,
                GrowthEvents = 100_000,
                ListRequests = 10_000,
                DrainPatience = TimeSpan.FromSeconds(30),
                WebhookDuration = TimeSpan.FromSeconds(20),
            };

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value.");
            options = arg switch
            {
                "--quick" => options,
                "--keep" => options with { Keep = true },
                "-h" or "--help" => options with { Help = true },
                "--connections" => options with { Connections = (int)Math.Min(int.MaxValue, OptionValues.Count(arg, Value())) },
                "--duration" => options with { Duration = OptionValues.Seconds(arg, Value()) },
                "--warm-up" => options with { WarmUp = OptionValues.Seconds(arg, Value(), allowZero: true) },
                "--latency-rate" => options with { LatencyRate = OptionValues.Positive(arg, Value()) },
                "--latency-duration" => options with { LatencyDuration = OptionValues.Seconds(arg, Value()) },
                "--step-start" => options with { StepStart = OptionValues.Positive(arg, Value()) },
                "--step-increase" => options with { StepIncrease = OptionValues.Positive(arg, Value()) },
                "--step-duration" => options with { StepDuration = OptionValues.Seconds(arg, Value()) },
                "--step-max" => options with { StepMax = OptionValues.Positive(arg, Value()) },
                "--rebuild-events" => options with { RebuildEvents = OptionValues.Count(arg, Value()) },
                "--growth-events" => options with { GrowthEvents = OptionValues.Count(arg, Value()) },
                "--skip-create-alone" => options with { SkipCreateAlone = true },
                "--skip-sustained" => options with { SkipSustained = true },
                "--skip-rebuild" => options with { SkipRebuild = true },
                "--skip-marten-rebuild" => options with { SkipMartenRebuild = true },
                "--skip-growth" => options with { SkipGrowth = true },
                "--skip-list" => options with { SkipList = true },
                "--list-only" => options with { ListOnly = true },
                "--list-requests" => options with { ListRequests = OptionValues.Count(arg, Value()) },
                "--list-full-connections" => options with { ListFullConnections = (int)Math.Min(int.MaxValue, OptionValues.Count(arg, Value())) },
                "--webhooks-only" => options with { WebhooksOnly = true },
                "--webhook-rate" => options with { WebhookRate = OptionValues.Positive(arg, Value()) },
                "--webhook-duration" => options with { WebhookDuration = OptionValues.Seconds(arg, Value()) },
                "--webhook-slow-ms" => options with { WebhookSlowMs = (int)Math.Min(int.MaxValue, OptionValues.Count(arg, Value())) },
                "--receiver-port" => options with { ReceiverPort = OptionValues.Port(arg, Value()) },
                "--dispatcher-port" => options with { DispatcherPort = OptionValues.Port(arg, Value()) },
                "--dead-receiver-port" => options with { DeadReceiverPort = OptionValues.Port(arg, Value()) },
                "--drain" => options with { DrainPatience = OptionValues.Seconds(arg, Value()) },
                "--api-port" => options with { ApiPort = OptionValues.Port(arg, Value()) },
                "--stub-port" => options with { StubPort = OptionValues.Port(arg, Value()) },
                "--scheduler-port" => options with { SchedulerPort = OptionValues.Port(arg, Value()) },
                "--baseline-port" => options with { BaselinePort = OptionValues.Port(arg, Value()) },
                "--root" => options with { Root = Value() },
                "--result" => options with { ResultPath = Value() },
                _ => throw new UsageException($"Unknown option {arg}."),
            };
        }
        if (options.ListOnly && options.WebhooksOnly) throw new UsageException("--list-only and --webhooks-only exclude each other.");
        if (options.ListOnly && options.SkipList) throw new UsageException("--list-only and --skip-list exclude each other.");
        if (options.ListRequests < 2 * 200) throw new UsageException("--list-requests must be at least 400 (phase 6 reads a page halfway down).");
        if (new[] { options.ApiPort, options.StubPort, options.SchedulerPort, options.BaselinePort, options.ReceiverPort, options.DispatcherPort, options.DeadReceiverPort }
                .Distinct().Count() != 7)
            throw new UsageException("--api-port, --stub-port, --scheduler-port, --baseline-port, --receiver-port, --dispatcher-port and --dead-receiver-port must differ.");
        return options;
    }
}
