using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductionTests.Benchmark;

/// <summary>The table (each figure next to its target, issue 8) on the console and, with every detail, as JSON.</summary>
public static class ResultTable
{
    private const double MemoryTargetMb = 300;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IReadOnlyList<TableRow> Rows(BenchmarkOptions o, LoadFigures baseline, LoadFigures post, LoadFigures? createAlone, LatencyPhase latency,
        SustainedPhase? sustained, RebuildPhase? rebuild, GrowthPhase? growth, IReadOnlyList<MemoryPeak> memory)
    {
        var rows = new List<TableRow>();
        double? Ratio(double? value) => value is { } v && baseline.RequestsPerSecond > 0 ? v / baseline.RequestsPerSecond : null;
        var c = o.Connections;

        const string p1 = "1 baseline: 1 INSERT";
        rows.Add(new(p1, $"requests/s, {c} connections", baseline.RequestsPerSecond, "req/s", 1.0, "reference", null, baseline.Cpu?.Summary()));
        rows.Add(new(p1, "latency p99", baseline.Latency.P99Ms, "ms", null, "-", null, $"p50 {Ms(baseline.Latency.P50Ms)}"));
        rows.Add(new(p1, "errors", baseline.Errors, "", null, "-", null, ErrorNote(baseline)));

        const string p2 = "2 POST";
        var postRatio = Ratio(post.RequestsPerSecond);
        rows.Add(new(p2, $"requests/s, {c} connections", post.RequestsPerSecond, "req/s", postRatio, ">= 1.0x baseline", postRatio >= 1.0, post.Cpu?.Summary()));
        rows.Add(new(p2, "latency p50", post.Latency.P50Ms, "ms", null, "-", null));
        rows.Add(new(p2, "latency p90", post.Latency.P90Ms, "ms", null, "-", null));
        rows.Add(new(p2, "latency p99", post.Latency.P99Ms, "ms", null, "<= 25 ms", post.Latency.P99Ms <= 25));
        rows.Add(new(p2, "latency max", post.Latency.MaxMs, "ms", null, "-", null));
        rows.Add(new(p2, "errors", post.Errors, "", null, "-", null, ErrorNote(post)));

        const string p2b = Phases.CreateAlone, aloneTarget = ">= 1.0x baseline (create alone, informative)";
        if (createAlone is null)
            rows.Add(new(p2b, $"requests/s, {c} connections", null, "req/s", null, aloneTarget, null, "skipped (--skip-create-alone)"));
        else
        {
            var aloneRatio = Ratio(createAlone.RequestsPerSecond);
            rows.Add(new(p2b, $"requests/s, {c} connections", createAlone.RequestsPerSecond, "req/s", aloneRatio, aloneTarget, aloneRatio >= 1.0,
                "relay off; informative, the issue's target is phase 2's" + (createAlone.Cpu is { } cpu ? "; " + cpu.Summary() : "")));
            rows.Add(new(p2b, "latency p50", createAlone.Latency.P50Ms, "ms", null, "-", null));
            rows.Add(new(p2b, "latency p99", createAlone.Latency.P99Ms, "ms", null, "-", null));
            rows.Add(new(p2b, "latency max", createAlone.Latency.MaxMs, "ms", null, "-", null));
            rows.Add(new(p2b, "errors", createAlone.Errors, "", null, "-", null, ErrorNote(createAlone)));
        }

        var p3 = $"3 create-to-scheduled @{latency.Rate:0}/s";
        var l = latency.CreateToOutcome;
        var complete = latency.WithOutcome == latency.Accepted ? null : $"{latency.Accepted - latency.WithOutcome} accepted without outcome";
        rows.Add(new(p3, "p50", l.P50Ms, "ms", null, "<= 20 ms", l.P50Ms <= 20, complete));
        rows.Add(new(p3, "p99", l.P99Ms, "ms", null, "<= 100 ms", l.P99Ms <= 100));
        rows.Add(new(p3, "max", l.MaxMs, "ms", null, "-", null));
        rows.Add(new(p3, "backlog when the load stopped", latency.Drain.BacklogAtStop, "requests", null, "-", null));
        rows.Add(new(p3, "time to drain it", latency.Drain.Seconds, "s", null, "-", null, latency.Drain.Drained ? null : "did not drain"));
        rows.Add(new(p3, "second outcomes for one request", latency.Drain.Duplicates, "", null, "0", latency.Drain.Duplicates == 0));
        rows.Add(new(p3, "creates accepted / errors", latency.Creates.RequestsPerSecond, "req/s", null, "-", null,
            $"{latency.Creates.Errors} errors{(latency.Creates.Errors > 0 ? " (" + ErrorNote(latency.Creates) + ")" : "")}"));

        const string p4 = "4 sustained pipeline";
        if (sustained is null)
            rows.Add(new(p4, "highest rate that keeps up", null, "req/s", null, ">= 1500 req/s", null, "skipped (--skip-sustained)"));
        else
        {
            rows.Add(new(p4, "highest rate that keeps up", sustained.HighestKeptUp ?? 0, "req/s", Ratio(sustained.HighestKeptUp ?? 0), ">= 1500 req/s",
                (sustained.HighestKeptUp ?? 0) >= 1500, sustained.HighestKeptUp is null ? $"not even the first step ({o.StepStart:0}/s)" : null));
            rows.Add(new(p4, "first rate that did not", sustained.FirstNotKeptUp, "req/s", null, "-", null, sustained.Why));
        }

        const string p5 = "5 rebuild";
        if (rebuild is null)
            rows.Add(new(p5, "rebuild-views", null, "events/s", null, ">= 50000 events/s", null, "skipped (--skip-rebuild)"));
        else
        {
            rows.Add(new(p5, $"rebuild-views over {rebuild.EventsInStore} events", rebuild.EventsPerSecond, "events/s", null, ">= 50000 events/s",
                rebuild.EventsPerSecond >= 50_000, $"{rebuild.Seconds:0.0} s for {rebuild.Streams} streams" + (rebuild.CommandSummary is { } s ? $"; \"{s}\"" : "")));
            if (rebuild.EventsInStore < 200_000)
                rows[^1] = rows[^1] with { Note = rows[^1].Note + "; fewer than the issue's 200,000 events (--quick)" };
            if (rebuild.Marten is { } marten)
                rows.Add(new(p5, "Marten's projections rebuild, same store", marten.EventsPerSecond, "events/s", null, "informative", null,
                    $"{marten.Seconds:0.0} s; {marten.ViewsAfter} views after it (of {rebuild.Streams} streams); empties the views first, so reads answer 404 meanwhile"));
        }
        var fills = new[] { rebuild?.Fill, growth?.Fill }.OfType<FillFigures>().Where(f => f.EventsAdded > 0).ToList();
        if (fills.Count > 0)
        {
            var added = fills.Sum(f => f.EventsAdded);
            var seconds = fills.Sum(f => f.Seconds);
            rows.Add(new(p5, "bulk fill (set-based SQL)", seconds > 0 ? added / seconds : 0, "events/s", null, "-", null, $"{added} events in {seconds:0.0} s"));
        }

        var pg = growth is null ? "growth" : $"growth: {growth.EventsInStore} events";
        if (growth is null)
            rows.Add(new(pg, "POST requests/s vs empty store", null, "x", null, ">= 0.80x", null, "skipped (--skip-growth)"));
        else
        {
            var vsEmpty = post.RequestsPerSecond > 0 ? growth.Post.RequestsPerSecond / post.RequestsPerSecond : 0;
            rows.Add(new(pg, $"POST requests/s, {c} connections", growth.Post.RequestsPerSecond, "req/s", Ratio(growth.Post.RequestsPerSecond), "-", null,
                $"p99 {Ms(growth.Post.Latency.P99Ms)} ms, errors {growth.Post.Errors}"));
            rows.Add(new(pg, "POST requests/s vs empty store", vsEmpty, "x", null, ">= 0.80x", vsEmpty >= 0.8,
                growth.EventsInStore < 2_000_000 ? "fewer than the issue's 2,000,000 events (--quick)" : null));
        }

        foreach (var peak in memory)
            rows.Add(new("memory", $"{peak.Service} peak resident", peak.PeakMb, "MB", null, $"<= {MemoryTargetMb:0} MB", peak.PeakMb <= MemoryTargetMb));
        return rows;
    }

    /// <summary>Phase 6: each load's throughput, latency and bytes per answer; targets for a page (and the filtered and deep pages) and the 304.</summary>
    public static IReadOnlyList<TableRow> ListRows(BenchmarkOptions o, ListPhaseResult list)
    {
        var rows = new List<TableRow>();
        var phase = $"6 list: {list.Requests} requests";
        var floor304 = list.Loads.FirstOrDefault(l => l.Floor && l.Name.Contains("304", StringComparison.Ordinal))?.Figures.RequestsPerSecond;
        var floorPage = list.Loads.FirstOrDefault(l => l.Floor && !l.Name.Contains("304", StringComparison.Ordinal))?.Figures.RequestsPerSecond;
        foreach (var load in list.Loads)
        {
            var f = load.Figures;
            (double? rate, double? p99, double? against) = load switch
            {
                { Floor: true } => ((double?)null, (double?)null, (double?)null),
                _ when load.Name.StartsWith("304", StringComparison.Ordinal) => (5000, 5, floor304),
                _ when load.Name.StartsWith("whole", StringComparison.Ordinal) => (null, null, null),
                _ => (2000, 10, floorPage),
            };
            var noTarget = load.Floor ? "- (the floor: nothing behind it)" : "- (reported as it is)";
            rows.Add(new(phase, $"{load.Name}: requests/s, {load.Connections} conn.", f.RequestsPerSecond, "req/s", against is > 0 ? f.RequestsPerSecond / against : null,
                rate is { } r ? $">= {r:0} req/s" : noTarget, rate is { } r2 ? f.RequestsPerSecond >= r2 : null, load.Cpu));
            rows.Add(new(phase, $"{load.Name}: latency p99", f.Latency.P99Ms, "ms", null, p99 is { } p ? $"p99 <= {p:0} ms" : "-", p99 is { } p2 ? f.Latency.P99Ms <= p2 : null,
                $"p50 {Ms(f.Latency.P50Ms)} ms, max {Ms(f.Latency.MaxMs)} ms"));
            rows.Add(new(phase, $"{load.Name}: bytes per answer", load.BytesPerAnswer, "bytes", null, "-", null, f.Errors > 0 ? $"{f.Errors} errors ({ErrorNote(f)})" : null));
        }
        return rows;
    }


    public static string Text(IReadOnlyList<TableRow> rows)
    {
        var header = new[] { "phase", "figure", "value", "x baseline", "target", "met", "note" };
        string? previous = null;
        var cells = rows.Select(r =>
        {
            IReadOnlyList<string> line =
            [
                r.Phase == previous ? "" : r.Phase, r.Figure, Value(r), r.BaselineRatio is { } x ? $"{x:0.00}x" : "", r.Target,
                r.Met switch { true => "yes", false => "NO", null => "-" }, r.Note ?? "",
            ];
            previous = r.Phase;
            return line;
        }).ToList();
        var met = rows.Count(r => r.Met == true);
        var missed = rows.Count(r => r.Met == false);
        var text = new StringBuilder(Columns(header, cells, column => column is 2 or 3));
        text.AppendLine();
        text.AppendLine($"targets met: {met}, missed: {missed}");
        return text.ToString();
    }

    /// <summary>A header, a rule and the lines, each column as wide as its widest cell, two spaces apart.</summary>
    internal static string Columns(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> cells, Func<int, bool> rightAligned)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> line) =>
            text.AppendLine(string.Join("  ", line.Select((cell, i) => rightAligned(i) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToList());
        foreach (var line in cells) Line(line);
        return text.ToString();
    }

    public static string Definitions(BenchmarkOptions o) => $"""
        Definitions (2-core machine, everything on it; the benchmark's own client shares the cores):
          requests/s: 2xx answers completed inside the measured window / its length ({o.Duration.TotalSeconds:0} s after {o.WarmUp.TotalSeconds:0} s of warm-up), closed loop, one connection per worker.
          latency: from sending a request to reading its whole answer, exact percentiles over every request of the window. errors: any non-2xx answer or failure.
          x baseline: the figure / phase 1's requests/s (tools/benchmark-baseline: one INSERT of (uuid v7, body jsonb, now()) through Npgsql, same Kestrel).
          create alone (2b): phase 2 with requests-api restarted with Relay__Enabled=false (no async daemon: nothing published, the scheduler,
            the stub and the outcome consumer idle), so the create path alone against the baseline; then restarted with its relay, 2b's backlog drained.
          create-to-scheduled: open loop (request i due at start + i/rate, no retries); from a request's due time to the commit timestamp of its outcome
            event (mt_events.timestamp of challenge_scheduled / challenge_failed), same clock. Backlog: accepted requests without an outcome when the
            last request left, counted per request id (a loss and a duplicate do not cancel out); drained: until none is left (polled every 50 ms).
          sustained: open-loop steps from {o.StepStart:0}/s by +{o.StepIncrease:0}/s, {o.StepWarmUp.TotalSeconds:0} s warm-up + {o.StepDuration.TotalSeconds:0} s each. A step keeps up when creates are
            accepted at >= 98% of its rate without errors, and its outcome backlog when the load stops is <= 0.5 s worth and drains within 2 s.
          rebuild: events in the store / wall time of `requests-api rebuild-views` (process start-up included; requests-api stopped meanwhile);
                   then the same for Marten's `projections rebuild -p ChallengeRequestView` (--skip-marten-rebuild leaves it out).
            The store is grown by copying a real request's stream with set-based SQL (requests-api stopped, relay progress moved past it).
          growth: phase 2 again on the grown store, compared with phase 2 on the empty one.
          CPU: per measured window, utime+stime from /proc/<pid>/stat at its start and end: each service (its current pid), all postgres and all RabbitMQ
            processes (with their exited children), this tool (the load generator); other = /proc/stat busy time minus those. % of one core
            (saturated = 100% x cores) and CPU ms / requests completed in the window (accepted creates for phases 2-4, 2b and growth).
          memory: per service, the largest of VmHWM (/proc/<pid>/status, sampled every 0.5 s and before a stop) and the sampled VmRSS, over the whole run.
        Between phases the benchmark waits until every created request has its outcome.
        """ + Environment.NewLine;

    /// <summary>A run's result (the whole benchmark's, or phase 6's or 7's alone) as indented JSON.</summary>
    public static async Task WriteJsonAsync<T>(T result, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, result, Json);
    }

    private static string Value(TableRow row) => row.Value switch
    {
        null => "-",
        { } v when double.IsNaN(v) => "n/a",
        { } v when row.Unit == "x" => $"{v:0.00}x",
        { } v when row.Unit == "ms" => $"{Ms(v)} ms",
        { } v when row.Unit == "s" => $"{v:0.00} s",
        { } v when row.Unit == "" => v.ToString("0", CultureInfo.InvariantCulture),
        { } v => $"{v.ToString("0", CultureInfo.InvariantCulture)} {row.Unit}",
    };

    private static string Ms(double v) => double.IsNaN(v) ? "n/a" : v.ToString(v < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string? ErrorNote(LoadFigures f) =>
        f.Errors == 0 ? null : string.Join(", ", f.ErrorsByKind.OrderByDescending(e => e.Value).Select(e => $"{e.Key}: {e.Value}"));
}
