using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductionTests.FaultSuite;

/// <summary>The table on the console and the same figures as JSON.</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Table(SuiteResult result)
    {
        var header = new[] { "slot", "fault at (s)", "outage", "sent", "accepted", "not acc.", "scheduled", "failed", "lost", "dup.", "replayed", "recover", "caught up", "latency p50/max" };
        var rows = result.Slots.Append(result.Overall).Select(Row).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();

        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            text.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToList());
        for (var i = 0; i < rows.Count; i++)
        {
            if (i == rows.Count - 1) Line(widths.Select(w => new string('-', w)).ToList());
            Line(rows[i]);
        }
        return text.ToString();
    }

    private static string[] Row(SlotFigures s) =>
    [
        s.Slot + (s.Injected == false ? " (!)" : ""),
        s.FaultStartSeconds is { } start ? $"{F(start)}-{(s.FaultEndSeconds is { } end ? F(end) : "?")}" : "-",
        s.OutageSeconds is { } outage ? $"{F(outage)} s" : "-",
        N(s.Sent),
        N(s.Accepted),
        N(s.NotAccepted + s.Rejected),
        N(s.Scheduled),
        N(s.Failed),
        N(s.Lost),
        N(s.Duplicated),
        N(s.Replayed),
        s.Stalled ? "STALLED" : s.RecoverSeconds is { } recover ? $"{F(recover)} s" : (s.Slot is "baseline" ? "-" : s.Slot == "overall" ? "-" : "never"),
        s.CaughtUpSeconds is { } caughtUp ? $"{F(caughtUp)} s" : "-",
        s.LatencyP50Seconds is { } p50 ? $"{F(p50)}/{F(s.LatencyMaxSeconds ?? 0)} s" : "-",
    ];

    public static string Summary(SuiteResult result)
    {
        var text = new StringBuilder();
        var overall = result.Overall;
        if (result.Slots.FirstOrDefault(s => s.Slot == "baseline") is { Sent: > 0 } baseline
            && (baseline.Accepted < 0.9 * baseline.Sent || baseline.LatencyP50Seconds > 5))
            text.AppendLine($"WARNING: before any fault the system did not keep up with {result.Rate:0.#} requests/s (baseline: {baseline.Accepted} of {baseline.Sent} accepted, " +
                            $"median latency {F(baseline.LatencyP50Seconds ?? 0)} s): the figures below measure overload as much as the faults. Try a lower --rate.");
        text.AppendLine($"retried: {overall.Retried} requests needed more than one attempt; {overall.Replayed} got their 201 as a replay (Idempotency-Replayed: an earlier attempt had been committed).");
        if (overall.Rejected > 0) text.AppendLine($"rejected: {overall.Rejected} requests got a 4xx that is not retried (counted in 'not acc.').");
        text.AppendLine($"created without a 201 (client gave up, the request exists anyway): {result.CreatedWithout201}, of which without an outcome: {result.CreatedWithout201Pending}.");
        text.AppendLine($"drain: {F(result.DrainSeconds)} s after the load{(result.Drained ? "" : " (stopped: no progress)")}; unexpected streams: {result.UnexpectedStreams}; stub challenges without a request: {result.StubChallengesWithoutRequest}; Marten tombstones (failed appends): {result.Tombstones}.");
        if (overall.Mismatched > 0) text.AppendLine($"mismatched: {overall.Mismatched} scheduled requests whose challenge id is not the stub's challenge.");
        foreach (var slot in result.Slots.Where(s => s.Injected == false))
            text.AppendLine($"(!) {slot.Slot} was not seen to take effect.");
        foreach (var slot in result.Slots)
            foreach (var note in slot.Notes)
                text.AppendLine($"{slot.Slot}: {note}");
        text.AppendLine($"tpas bookings: {result.BookingCalls} calls for the accepted requests, {result.Rebooked} requests booked more than once (retries, allowed); " +
                        $"phantom calls (no committed request): {result.PhantomBookingCalls}; final 4xx the contract does not allow: {result.UndocumentedRejections}.");
        text.AppendLine(result.NonEmptyQueues switch
        {
            null => "queues after the drain: could not be read.",
            { Count: 0 } => "queues after the drain: all empty, _error queues included.",
            var queues => "queues holding messages after the drain: " + string.Join(", ", queues.Select(q => $"{q.Queue} {q.Messages}")),
        });
        foreach (var finding in result.Findings.Take(15))
            text.AppendLine($"{finding.Kind.ToUpperInvariant()} [{finding.Slot}] key {finding.Key} {finding.RequestId}: {finding.Detail}");
        if (result.Findings.Count > 15) text.AppendLine($"... and {result.Findings.Count - 15} more findings in the JSON.");
        return text.ToString();
    }

    public static string DefinitionsText(SuiteResult result) =>
        string.Join(Environment.NewLine, result.Definitions.Select(d => $"  {d.Key}: {d.Value}")) + Environment.NewLine;

    public static async Task WriteJsonAsync(SuiteResult result, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json) + Environment.NewLine);
    }

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
