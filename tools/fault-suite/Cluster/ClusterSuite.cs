using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ProductionTests.FaultSuite.Cluster;

/// <summary>
/// The cluster fault suite: steady load through HAProxy with the careful client of the fault suite (its own
/// Idempotency-Key per create, retried with the same key), one crash after another (<see cref="ClusterFaults"/>),
/// then the verdict from the store and the stub: no accepted request lost or duplicated, every one scheduled,
/// every queue (error queues included) empty, every fault seen to take effect. The cluster is deploy/cluster.sh's.
/// </summary>
public sealed class ClusterSuite(ClusterOptions options)
{
    private const string Hosts = "127.0.0.1:60001,127.0.0.1:60002";
    private static readonly Uri Stub = new("http://127.0.0.1:18090/");
    private static readonly Uri[] RabbitManagement = [new("http://127.0.0.1:15701/"), new("http://127.0.0.1:15702/"), new("http://127.0.0.1:15703/")];

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var root = Checkout.FindRoot(options.Root);
        var (_, logDirectory) = Checkout.DataDirectories(root, "cluster-fault-suite");
        var log = new SuiteLog(logDirectory, "cluster fault suite");
        var scripts = new ClusterScripts(root, log);
        using var control = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try { (await control.GetAsync(new Uri(new Uri(options.Url), "health/ready"), ct)).EnsureSuccessStatusCode(); }
        catch (HttpRequestException e) { throw new SetupException($"the cluster does not answer at {options.Url} ({e.Message}): start it with deploy/cluster.sh"); }
        if (options.Faults.Count > 0) await scripts.ClusterAsync("wait-healthy", ct);

        using var load = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = new Uri(options.Url),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var runId = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss");
        var warmUp = await DemoApi.WarmUpAsync(load, $"Cluster suite {runId} warm-up", $"cluster-suite-{runId}-warm-up", log, ct);
        log.Info($"warm-up {warmUp} scheduled through HAProxy; load {options.Rate:0.#}/s, faults: {string.Join(", ", options.Faults)}");

        var duration = options.Faults.Count == 0 ? options.Duration : options.Baseline + options.Slot * options.Faults.Count;
        var timeline = new Timeline(DateTimeOffset.UtcNow, options.Faults, duration);
        log.LoadStartedAt = timeline.LoadStartedAt;
        var loadOptions = new SuiteOptions { Rate = options.Rate, Duration = duration, ClientTimeout = TimeSpan.FromSeconds(5), GiveUpAfter = TimeSpan.FromSeconds(60) };
        var generator = new LoadGenerator(load, loadOptions, timeline, runId);
        await using var probe = new RelayProbe(Hosts);
        var loadTask = generator.RunAsync(ct);

        var injector = new ClusterInjector(scripts, options, log);
        var faults = new List<ClusterFault>();
        if (options.Faults.Count > 0) await Task.Delay(options.Baseline, ct);
        for (var i = 0; i < options.Faults.Count; i++)
        {
            timeline.Enter(i + 1);
            var fault = new ClusterFault { Name = options.Faults[i], Slot = i + 1, Start = DateTimeOffset.UtcNow };
            // A slot lasts --slot after its fault, or until the cluster is whole again if that takes longer.
            var slotEnd = fault.Start + options.Slot;
            timeline.LoadEnd = slotEnd > timeline.LoadEnd ? slotEnd : timeline.LoadEnd;
            faults.Add(fault);
            try { await injector.InjectAsync(fault, waitUntilWhole: i < options.Faults.Count - 1, ct); }
            catch (SetupException e) { fault.Problems.Add(e.Message); log.Info($"{fault.Name}: {e.Message}"); }
            fault.SlotEnd = DateTimeOffset.UtcNow > slotEnd ? DateTimeOffset.UtcNow : slotEnd;
            if (DateTimeOffset.UtcNow < slotEnd) await Task.Delay(slotEnd - DateTimeOffset.UtcNow, ct);
        }
        if (options.Faults.Count == 0) await Task.Delay(options.Duration, ct); // a measurement: steady load only
        timeline.FaultsDone = true;
        timeline.LoadEnd = DateTimeOffset.UtcNow;
        await loadTask;
        var requests = generator.Requests;
        var accepted = requests.Where(r => r.Accepted).ToList();
        log.Info($"load over: {requests.Count} creates sent, {accepted.Count} accepted, {generator.Retries} retries");

        // The store is read on the primary the monitor names now (the fault may have moved it).
        var primaryPort = (await scripts.PostgresAsync("primary", ct)).Split(' ').ElementAtOrDefault(1)?.Trim();
        var reader = new EventStoreReader($"Host=127.0.0.1;Port={primaryPort};Username=postgres;Database=production_tests");
        var ids = accepted.Select(r => r.RequestId!).ToList();
        var drained = await DrainAsync(reader, ids, log, ct);
        await Task.Delay(TimeSpan.FromSeconds(3), ct); // late redeliveries would show now

        var events = (await reader.EventsAsync(ct)).Where(e => e.Title?.Contains(runId, StringComparison.Ordinal) == true || ids.Contains(e.StreamId)).ToList();
        var challenges = await StubReader.ChallengesAsync(control, Stub, ct);
        // The management API's counts lag by a few seconds: a queue must be seen empty, within 30 s.
        var queues = await QueuesAsync(control, ct);
        for (var i = 0; i < 30 && queues.Values.Any(v => v != 0); i++) { await Task.Delay(1000, ct); queues = await QueuesAsync(control, ct); }
        var verdict = ClusterVerdict.Judge(requests, events, challenges, queues, faults, drained);
        foreach (var fault in faults)
        {
            var window = (fault.Start, fault.SlotEnd);
            fault.RelayAgain = probe.PublishedAgainAfter(window.Start, window.SlotEnd);
            fault.PublishStall = probe.LongestStall(window.Start, window.SlotEnd);
            fault.CreateOutage = LongestGap(accepted.Select(r => r.AcceptedAt!.Value), window.Start, window.SlotEnd);
            fault.ConsumeStall = LongestGap(events.Where(e => e.IsOutcome).Select(e => e.Timestamp), window.Start, window.SlotEnd);
        }
        var latency = CreateToScheduled(events);
        var sent = requests.Count == 0 ? TimeSpan.Zero : requests.Max(r => r.FirstSentAt) - requests.Min(r => r.FirstSentAt);
        log.Info($"creates accepted {accepted.Count} in {sent.TotalSeconds:0.0} s ({(sent > TimeSpan.Zero ? accepted.Count / sent.TotalSeconds : 0):0.0}/s); " +
                 $"create-to-scheduled p50 {latency.P50:0} ms, p99 {latency.P99:0} ms, max {latency.Max:0} ms (commit to outcome commit, store timestamps)");
        var report = ClusterReport.Write(options, runId, requests, faults, verdict, logDirectory);
        Console.WriteLine(report);
        return verdict.Passed ? 0 : 1;
    }

    /// <summary>From each request's commit to its outcome's commit (the store's own timestamps), in milliseconds.</summary>
    public static (double P50, double P99, double Max) CreateToScheduled(IReadOnlyList<StoredEvent> events)
    {
        var requested = events.Where(e => e.IsRequested).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.Min(e => e.Timestamp));
        var spans = events.Where(e => e.IsOutcome && requested.ContainsKey(e.StreamId))
            .GroupBy(e => e.StreamId).Select(g => (g.Min(e => e.Timestamp) - requested[g.Key]).TotalMilliseconds).Order().ToList();
        if (spans.Count == 0) return (0, 0, 0);
        double At(double q) => spans[Math.Min(spans.Count - 1, (int)Math.Ceiling(q * spans.Count) - 1)];
        return (At(0.5), At(0.99), spans[^1]);
    }

    /// <summary>The longest time in [from, until] without one of these moments (from the start of the window).</summary>
    public static TimeSpan LongestGap(IEnumerable<DateTimeOffset> moments, DateTimeOffset from, DateTimeOffset until)
    {
        var inWindow = moments.Where(m => m >= from && m <= until).Order().ToList();
        if (inWindow.Count == 0) return until - from;
        var longest = inWindow[0] - from;
        for (var i = 1; i < inWindow.Count; i++)
            if (inWindow[i] - inWindow[i - 1] > longest) longest = inWindow[i] - inWindow[i - 1];
        return longest;
    }

    private async Task<bool> DrainAsync(EventStoreReader reader, IReadOnlyList<string> ids, SuiteLog log, CancellationToken ct)
    {
        var best = -1;
        var lastProgress = DateTimeOffset.UtcNow;
        while (true)
        {
            var done = -1;
            try { done = await reader.CountWithOutcomeAsync(ids, ct); }
            catch (NpgsqlException e) { log.Info($"drain: {e.Message}"); }
            if (done == ids.Count) { log.Info("drained: every accepted request has its outcome"); return true; }
            if (done > best) { best = done; lastProgress = DateTimeOffset.UtcNow; }
            if (DateTimeOffset.UtcNow - lastProgress > options.DrainDeadline) { log.Info($"drain gave up: {ids.Count - best} without outcome"); return false; }
            await Task.Delay(500, ct);
        }
    }

    /// <summary>Every queue of the cluster's vhost with its message count (ready + unacknowledged).</summary>
    private static async Task<IReadOnlyDictionary<string, long>> QueuesAsync(HttpClient http, CancellationToken ct)
    {
        foreach (var node in RabbitManagement) // any node that answers: the last fault's node may still be starting
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, "api/queues/%2F"));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode) continue;
                var queues = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                return queues.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!,
                    q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
            }
            catch (HttpRequestException) { }
        }
        throw new SetupException("no RabbitMQ node's management API answers");
    }
}
