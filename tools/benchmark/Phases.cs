using System.Diagnostics;

namespace ProductionTests.Benchmark;

/// <summary>The measurements, one method per phase; <see cref="BenchmarkRun"/> runs them in order.</summary>
public sealed class Phases(BenchmarkOptions options, Uri api, Requests requests, Pipeline pipeline, CpuAccounting cpu, SuiteLog log)
{
    public const string CreateAlone = "2b POST, create alone";

    /// <summary>Phase 1: one INSERT per request (tools/benchmark-baseline at <paramref name="baselineApp"/>), same Kestrel, same concurrency.</summary>
    public async Task<LoadFigures> BaselineAsync(Uri baselineApp, CancellationToken ct)
    {
        using var http = Requests.Client(baselineApp, options.Connections);
        log.Info($"1 baseline: POST {baselineApp}, {options.Connections} connections, {options.WarmUp.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s");
        var figures = await ClosedLoopAsync("1 baseline", http, () => requests.Baseline("baseline"), ct);
        log.Info($"1 baseline: {Describe(figures)}");
        return figures;
    }

    /// <summary>
    /// Phase 2, 2b and the growth run: creates at fixed concurrency; then (after <paramref name="beforeDrain"/>,
    /// 2b's restart of requests-api with its relay) the backlog is drained (not measured).
    /// </summary>
    public async Task<LoadFigures> PostAsync(string phase, CancellationToken ct, Func<Task>? beforeDrain = null)
    {
        using var http = Requests.Client(api, options.Connections);
        var since = await pipeline.HighestSequenceAsync(ct);
        log.Info($"{phase}: POST production-tests, {options.Connections} connections, {options.WarmUp.TotalSeconds:0} s warm-up + {options.Duration.TotalSeconds:0} s");
        var figures = await ClosedLoopAsync(phase, http, () => requests.Create(phase), ct);
        log.Info($"{phase}: {Describe(figures)}");
        if (beforeDrain is not null) await beforeDrain();
        await DrainBetweenPhasesAsync(since, phase, ct);
        return figures;
    }

    /// <summary>Phase 3: create-to-outcome at a fixed open-loop rate, the backlog when the load stops and its drain.</summary>
    public async Task<LatencyPhase> LatencyAsync(CancellationToken ct)
    {
        using var http = Requests.Client(api, 512);
        var since = await pipeline.HighestSequenceAsync(ct);
        log.Info($"3 latency: {options.LatencyRate:0.#} requests/s open loop, {options.WarmUp.TotalSeconds:0} s warm-up + {options.LatencyDuration.TotalSeconds:0} s");
        Task<DrainFigures>? drain = null;
        var (run, creates) = await OpenLoopAsync($"3 latency @{options.LatencyRate:0}/s", http, options.LatencyRate, () => requests.Create("latency"),
            options.WarmUp, options.LatencyDuration, () => drain = pipeline.DrainAsync(since, options.DrainPatience, ct, "3 latency drain"), ct);
        var drained = await drain!;
        var outcomes = await pipeline.OutcomeTimesAsync(since, ct);
        var measured = run.Requests.Where(r => r.Measured && r.RequestId is not null).ToList();
        var latencies = measured.Where(r => outcomes.ContainsKey(r.RequestId!)).Select(r => (outcomes[r.RequestId!] - r.DueAt).TotalMilliseconds).ToList();
        var phase = new LatencyPhase(options.LatencyRate, creates, measured.Count, latencies.Count, LatencySummary.Of(latencies), drained);
        log.Info($"3 latency: create-to-outcome p50 {phase.CreateToOutcome.P50Ms:0.0} ms, p99 {phase.CreateToOutcome.P99Ms:0.0} ms, max {phase.CreateToOutcome.MaxMs:0.0} ms " +
                 $"over {latencies.Count} of {measured.Count} accepted; backlog at stop {drained.BacklogAtStop}, drained in {drained.Seconds:0.00} s; creates: {Describe(phase.Creates)}");
        return phase;
    }

    /// <summary>
    /// Phase 4: open-loop steps of growing rate. A step keeps up when creates are accepted at 98% of its
    /// rate or more with no error, and the outcome backlog when its load stops is at most half a second's
    /// worth of requests and is gone within 2 s. The answer is the highest rate that kept up.
    /// </summary>
    public async Task<SustainedPhase> SustainedAsync(CancellationToken ct)
    {
        var steps = new List<SustainedStep>();
        using var http = Requests.Client(api, 512);
        for (var rate = options.StepStart; rate <= options.StepMax; rate += options.StepIncrease)
        {
            var since = await pipeline.HighestSequenceAsync(ct);
            Task<DrainFigures>? drain = null;
            var (_, creates) = await OpenLoopAsync($"4 step {rate:0}/s", http, rate, () => requests.Create($"step-{rate:0}"), options.StepWarmUp, options.StepDuration,
                () => drain = pipeline.DrainAsync(since, options.DrainPatience, ct, $"4 step {rate:0}/s drain"), ct);
            var drained = await drain!;
            var why = new List<string>();
            if (creates.RequestsPerSecond < 0.98 * rate) why.Add($"creates accepted at {creates.RequestsPerSecond:0}/s < 98% of {rate:0}/s");
            if (creates.Errors > 0) why.Add($"{creates.Errors} create errors ({string.Join(", ", creates.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}"))})");
            if (drained.BacklogAtStop > 0.5 * rate) why.Add($"outcome backlog {drained.BacklogAtStop} > 0.5 s worth ({0.5 * rate:0})");
            if (!drained.Drained) why.Add("the backlog did not drain");
            else if (drained.Seconds > 2) why.Add($"drain took {drained.Seconds:0.0} s > 2 s");
            var step = new SustainedStep(rate, creates.RequestsPerSecond, creates.Errors, creates.Latency, drained.BacklogAtStop,
                drained.Drained ? drained.Seconds : null, why.Count == 0, why.Count == 0 ? null : string.Join("; ", why), creates.Cpu);
            steps.Add(step);
            log.Info($"4 step {rate:0}/s: accepted {step.AcceptedPerSecond:0}/s, create p99 {creates.Latency.P99Ms:0.0} ms, errors {step.Errors}, " +
                     $"backlog at stop {step.BacklogAtEnd}, drained in {drained.Seconds:0.00} s: {(step.KeptUp ? "kept up" : "did not keep up: " + step.Why)}");
            if (!step.KeptUp)
            {
                // What it did not keep up with must be gone before the next phase.
                if (!drained.Drained) await DrainBetweenPhasesAsync(since, "4 sustained", ct);
                break;
            }
        }
        var highest = steps.LastOrDefault(s => s.KeptUp)?.Rate;
        var first = steps.FirstOrDefault(s => !s.KeptUp);
        return new SustainedPhase(highest, first?.Rate, first?.Why ?? (first is null ? $"every step up to {options.StepMax:0}/s kept up (--step-max)" : null), steps);
    }

    /// <summary>Phase 5: the rebuild-views ops command over the whole store, timed from outside (start-up included).</summary>
    /// <summary>Marten's <c>projections rebuild</c> of the view (it empties the table first, then replays every event).</summary>
    public static async Task<double> MartenRebuildAsync(LocalSystem system, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await system.RunApiCommandAsync(["projections", "rebuild", "-p", "ChallengeRequestView"], TimeSpan.FromHours(2), ct);
        return clock.Elapsed.TotalSeconds;
    }

    public static async Task<(double Seconds, string? Summary)> RebuildViewsAsync(LocalSystem system, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var output = await system.RunApiCommandAsync(["rebuild-views"], TimeSpan.FromHours(2), ct);
        var seconds = clock.Elapsed.TotalSeconds;
        // Its last words, "Rebuilt N views ...", wrapped at 80 columns when the output is not a terminal.
        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        var at = lines.FindLastIndex(l => l.StartsWith("Rebuilt", StringComparison.Ordinal));
        var summary = at < 0 ? null : string.Join(' ', lines.Skip(at).TakeWhile(l => l.Length > 0));
        return (seconds, summary);
    }

    /// <summary>A closed loop at --connections, with where the CPU went in its measured window.</summary>
    private async Task<LoadFigures> ClosedLoopAsync(string phase, HttpClient http, Func<HttpRequestMessage> next, CancellationToken ct)
    {
        var (figures, window) = await cpu.DuringAsync(phase, options.WarmUp, options.Duration,
            () => ClosedLoop.RunAsync(http, options.Connections, next, options.WarmUp, options.Duration, ct), f => f.Succeeded, ct);
        return figures with { Cpu = window };
    }

    /// <summary>An open loop, its creates as a load phase, with where the CPU went in their measured window.</summary>
    private async Task<(OpenLoop.Run Run, LoadFigures Creates)> OpenLoopAsync(string phase, HttpClient http, double rate, Func<HttpRequestMessage> next,
        TimeSpan warmUp, TimeSpan measured, Action whenSent, CancellationToken ct)
    {
        var ((run, creates), window) = await cpu.DuringAsync(phase, warmUp, measured, async () =>
        {
            var sent = await OpenLoop.RunAsync(http, rate, next, warmUp, measured, whenSent, ct);
            return (sent, OpenLoop.Figures(sent));
        }, r => r.Item2.Succeeded, ct);
        return (run, creates with { Cpu = window });
    }

    private async Task DrainBetweenPhasesAsync(long since, string phase, CancellationToken ct)
    {
        var drain = await pipeline.DrainAsync(since, options.DrainPatience, ct, $"{phase} drain");
        if (drain.Duplicates > 0)
            throw new SetupException($"{phase}: {drain.Duplicates} requests got a second outcome (or a second request event); see {log.Directory}.");
        if (drain.Drained)
            log.Info($"{phase}: backlog of {drain.BacklogAtStop} outcomes drained in {drain.Seconds:0.0} s");
        else
            throw new SetupException($"{phase}: the pipeline stopped recording outcomes ({drain.BacklogAtStop} waiting); see {log.Directory}.");
    }

    private static string Describe(LoadFigures f) =>
        $"{f.RequestsPerSecond:0} requests/s, p50 {f.Latency.P50Ms:0.0} / p90 {f.Latency.P90Ms:0.0} / p99 {f.Latency.P99Ms:0.0} / max {f.Latency.MaxMs:0.0} ms, errors {f.Errors}" +
        (f.Errors > 0 ? $" ({string.Join(", ", f.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}"))})" : "");
}
