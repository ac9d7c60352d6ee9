namespace ProductionTests.FaultSuite;

/// <summary>The faults the suite knows, in the order it runs them by default.</summary>
public static class FaultNames
{
    public const string RabbitMqStop = "rabbitmq-stop";
    public const string RabbitMqKill = "rabbitmq-kill";
    public const string SchedulerKill = "scheduler-kill";
    public const string ApiKill = "api-kill";
    public const string ApiKillAfterCommit = "api-kill-after-commit";
    public const string PostgresRestart = "postgres-restart";
    public const string PostgresKill = "postgres-kill";
    public const string Stub5xx = "stub-5xx";
    public const string StubLostAnswer = "stub-lost-answer";

    public static readonly IReadOnlyList<string> All =
        [RabbitMqStop, RabbitMqKill, SchedulerKill, ApiKill, ApiKillAfterCommit, PostgresRestart, PostgresKill, Stub5xx, StubLostAnswer];

    /// <summary>--short: the crashes (a clean stop is the easy case) and both stub faults.</summary>
    public static readonly IReadOnlyList<string> Short = [RabbitMqKill, SchedulerKill, ApiKillAfterCommit, PostgresKill, Stub5xx, StubLostAnswer];

    public static bool NeedsPostgresScripts(string fault) => fault is PostgresRestart or PostgresKill;
    public static bool NeedsRabbitMqScripts(string fault) => fault is RabbitMqStop or RabbitMqKill;
}

/// <summary>The command line. <c>--short</c> is the CI form; explicit options given with it still win.</summary>
public sealed record SuiteOptions
{
    public double Rate { get; init; } = 100;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public IReadOnlyList<string> Faults { get; init; } = FaultNames.All;
    public bool Short { get; init; }
    public bool Keep { get; init; }

    /// <summary>How long RabbitMQ stays stopped and the stub answers 5xx.</summary>
    public TimeSpan Outage { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Between a SIGKILL and the restart of the killed service.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Load without any fault before the first one: the baseline slot.</summary>
    public TimeSpan Baseline { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>At least this much load after a fault's end before the next fault (or the end of the load).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After a fault: a pipeline that records no outcome at all for this long while accepted requests
    /// sent before the fault's end still wait has stalled (a failure). Outcomes that keep coming, however
    /// slowly, are overload: the next fault then starts after <see cref="RecoveryCap"/> at the latest.
    /// </summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(45);
    public TimeSpan RecoveryCap { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>One POST attempt's patience.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A request not accepted (201) this long after its first attempt is given up: "not accepted".</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>After the load, the drain waits for every accepted request's outcome, but gives up once no new outcome came for this long.</summary>
    public TimeSpan DrainDeadline { get; init; } = TimeSpan.FromSeconds(120);

    public int ApiPort { get; init; } = 5180;
    public int StubPort { get; init; } = 5190;
    public int SchedulerPort { get; init; } = 5191;

    /// <summary>The checkout (where Platform.sln is); found from the current directory when not given.</summary>
    public string? Root { get; init; }
    /// <summary>Where the figures are written as JSON; default .data/fault-suite/result.json.</summary>
    public string? ResultPath { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        Usage: deploy/fault-suite.sh [options]    (or: dotnet tools/fault-suite/bin/Release/net10.0/ProductionTests.FaultSuite.dll [options])

        Drives open-loop load at requests-api (each POST with its own Idempotency-Key, retried with it on a
        timeout, a 5xx, a 409 IDEMPOTENCY_REQUEST_IN_PROGRESS or a connection error) while it injects faults
        one after another, then checks the event store, tpas-stub and the queues: every request that got a 201
        must have exactly one ChallengeRequested, exactly one outcome and exactly one challenge at the stub,
        and every fault must be seen to take effect (docs/reliability.md lists every rule). After each fault
        it waits for the backlog before the next fault, so one fault's stall is not cured by the next.

          --rate N             requests per second (default 100)
          --duration S         seconds of load (default 60; extended when the faults need longer)
          --faults LIST        comma list of rabbitmq-stop, rabbitmq-kill, scheduler-kill, api-kill, api-kill-after-commit,
                               postgres-restart, postgres-kill, stub-5xx, stub-lost-answer; "all" (default) or "none"
          --short              the CI form: 20 requests/s for about 40 s, 5 s outages, the crashes and stub faults
                               (rabbitmq-kill, scheduler-kill, api-kill-after-commit, postgres-kill, stub-5xx, stub-lost-answer)
          --outage S           how long RabbitMQ stays stopped / the stub answers 5xx or loses answers (default 10; --short 5)
          --restart-delay S    between SIGKILL and restart (default 2)
          --client-timeout S   one POST attempt's patience (default 5)
          --give-up S          stop retrying a request after this long: "not accepted" (default 60)
          --drain S            after the load, wait for the outcomes until none came for S seconds (default 120)
          --stall S            after a fault, no outcome at all for S seconds while requests wait = stalled, a failure (default 45)
          --recovery-cap S     after a fault, wait at most S seconds for the backlog before the next fault (default 120)
          --api-port P, --stub-port P, --scheduler-port P   the suite's own service ports (5180, 5190, 5191)
          --root DIR           the checkout (default: found from the current directory)
          --result FILE        the JSON figures (default .data/fault-suite/result.json)
          --keep               keep the database and the RabbitMQ vhost afterwards
          -h, --help           this text

        Needs ConnectionStrings__Postgres, ConnectionStrings__RabbitMq and RabbitMq__ManagementUrl (source .data/env)
        and the Release builds of the three services. The scripts that stop and start the servers get
        PT_POSTGRES_PORT / PT_RABBITMQ_PORT / PT_RABBITMQ_MGMT_PORT from the environment, or else from those URLs.
        Exit code: 0 when every rule of the verdict held, 1 when one broke, 2 when the suite could not run.
        """;

    public static SuiteOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SuiteOptions();
        if (args.Contains("--short"))
            options = options with
            {
                Short = true,
                Faults = FaultNames.Short,
                Rate = 20,
                Duration = TimeSpan.FromSeconds(40),
                Outage = TimeSpan.FromSeconds(5),
                Baseline = TimeSpan.FromSeconds(3),
                Settle = TimeSpan.FromSeconds(3),
            };

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value.");
            options = arg switch
            {
                "--short" => options,
                "--keep" => options with { Keep = true },
                "-h" or "--help" => options with { Help = true },
                "--rate" => options with { Rate = OptionValues.Positive(arg, Value()) },
                "--duration" => options with { Duration = OptionValues.Seconds(arg, Value()) },
                "--outage" => options with { Outage = OptionValues.Seconds(arg, Value()) },
                "--restart-delay" => options with { RestartDelay = OptionValues.Seconds(arg, Value(), allowZero: true) },
                "--client-timeout" => options with { ClientTimeout = OptionValues.Seconds(arg, Value()) },
                "--give-up" => options with { GiveUpAfter = OptionValues.Seconds(arg, Value()) },
                "--drain" => options with { DrainDeadline = OptionValues.Seconds(arg, Value(), allowZero: true) },
                "--stall" => options with { StallAfter = OptionValues.Seconds(arg, Value()) },
                "--recovery-cap" => options with { RecoveryCap = OptionValues.Seconds(arg, Value(), allowZero: true) },
                "--faults" => options with { Faults = FaultList(Value()) },
                "--api-port" => options with { ApiPort = OptionValues.Port(arg, Value()) },
                "--stub-port" => options with { StubPort = OptionValues.Port(arg, Value()) },
                "--scheduler-port" => options with { SchedulerPort = OptionValues.Port(arg, Value()) },
                "--root" => options with { Root = Value() },
                "--result" => options with { ResultPath = Value() },
                _ => throw new UsageException($"Unknown option {arg}."),
            };
        }
        if (new[] { options.ApiPort, options.StubPort, options.SchedulerPort }.Distinct().Count() != 3)
            throw new UsageException("--api-port, --stub-port and --scheduler-port must differ.");
        return options;
    }

    private static IReadOnlyList<string> FaultList(string value)
    {
        if (value.Trim() is "all") return FaultNames.All;
        if (value.Trim() is "none" or "") return [];
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
            if (!FaultNames.All.Contains(name))
                throw new UsageException($"Unknown fault '{name}'; the faults are {string.Join(", ", FaultNames.All)}.");
        if (names.Distinct().Count() != names.Length) throw new UsageException("A fault is listed twice.");
        return names;
    }
}
