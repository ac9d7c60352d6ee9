using System.Net;
using System.Text;
using System.Text.Json;

namespace ProductionTests.FaultSuite;

/// <summary>
/// A stretch of the run: the baseline (no fault) and then one slot per fault, from the moment its fault
/// starts until the next fault starts (the last one until the load ends). A request belongs to the slot
/// in which its first attempt was sent.
/// </summary>
public sealed class Slot
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public bool IsFault => Index > 0;
    public DateTimeOffset? Start { get; set; }
    public DateTimeOffset? FaultStart { get; set; }
    /// <summary>When the broken part is back: server started, process ready, knob reset.</summary>
    public DateTimeOffset? FaultEnd { get; set; }
    /// <summary>Whether the fault was seen to take effect: set only from <see cref="Observed"/>, never from having tried.</summary>
    public bool Injected => Observed.Count > 0 && !WentWrong;
    /// <summary>What showed the fault took effect (the port refusing, the process gone, the stub answering 503...).</summary>
    public List<string> Observed { get; } = [];
    /// <summary>The injection or the recovery threw: the fault may not have happened, or the part did not come back.</summary>
    public bool WentWrong { get; set; }
    /// <summary>When every accepted request sent before the fault's end had its outcome (the recovery gate), if it came.</summary>
    public DateTimeOffset? CaughtUpAt { get; set; }
    /// <summary>After the fault, no outcome at all for <see cref="SuiteOptions.StallAfter"/> while requests waited.</summary>
    public bool Stalled { get; set; }
    public int StalledPending { get; set; }
    public List<string> Notes { get; } = [];
}

/// <summary>The slots and the current one, shared by the load (reads) and the fault driver (moves it on).</summary>
public sealed class Timeline
{
    private readonly Slot[] _slots;
    private volatile int _current;
    private long _loadEndTicks;
    private volatile bool _faultsDone;

    public Timeline(DateTimeOffset loadStartedAt, IReadOnlyList<string> faults, TimeSpan duration)
    {
        LoadStartedAt = loadStartedAt;
        _slots = [new Slot { Index = 0, Name = "baseline", Start = loadStartedAt }, .. faults.Select((name, i) => new Slot { Index = i + 1, Name = name })];
        LoadEnd = loadStartedAt + duration;
    }

    public DateTimeOffset LoadStartedAt { get; }
    public IReadOnlyList<Slot> Slots => _slots;
    public Slot Current => _slots[_current];

    /// <summary>The load goes on until this time, and in any case until the faults are done.</summary>
    public DateTimeOffset LoadEnd
    {
        get => new(Interlocked.Read(ref _loadEndTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _loadEndTicks, value.UtcTicks);
    }

    public bool FaultsDone { get => _faultsDone; set => _faultsDone = value; }

    /// <summary>Requests sent from now on belong to this slot.</summary>
    public Slot Enter(int index)
    {
        _slots[index].Start = DateTimeOffset.UtcNow;
        _current = index;
        return _slots[index];
    }

    public double Seconds(DateTimeOffset at) => (at - LoadStartedAt).TotalSeconds;
}

/// <summary>One request of the load: one Idempotency-Key, as many attempts as it took.</summary>
public sealed class RequestRecord
{
    public required int Index { get; init; }
    public required string Key { get; init; }
    public required string Title { get; init; }
    public required int Slot { get; init; }
    public required DateTimeOffset FirstSentAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; set; }
    /// <summary>The id of the 201's body; set only by a 201.</summary>
    public string? RequestId { get; set; }
    /// <summary>Every request id a 201 ever named for this key (more than one would be a duplicate).</summary>
    public HashSet<string> RequestIdsSeen { get; } = [];
    public int Attempts { get; set; }
    /// <summary>The 201 came with <c>Idempotency-Replayed: true</c>: an earlier attempt had been committed.</summary>
    public bool Replayed { get; set; }
    /// <summary>An answer that is not retried (a 4xx other than 429 and 409 IDEMPOTENCY_REQUEST_IN_PROGRESS).</summary>
    public string? Rejection { get; set; }
    public int? RejectionStatus { get; set; }
    public string? RejectionCode { get; set; }
    public string? LastError { get; set; }
    public bool Accepted => RequestId is not null;
    public bool Done { get; set; }
}

/// <summary>
/// Open-loop load: request i is sent at start + i/rate whatever happened to the earlier ones. Each has
/// its own Idempotency-Key and is retried with it (same body) after a timeout, a 5xx, a 409
/// IDEMPOTENCY_REQUEST_IN_PROGRESS or a connection error, with growing pauses (0.25 s doubling up to
/// 5 s, jittered, so that a sick service is not buried under retries; and after a 429, once
/// its Retry-After has passed), until a 201 or until it is given up.
/// </summary>
public sealed class LoadGenerator(HttpClient http, SuiteOptions options, Timeline timeline, string runId)
{
    private readonly Lock _lock = new();
    private readonly List<RequestRecord> _requests = [];
    private int _retries;

    public IReadOnlyList<RequestRecord> Requests { get { lock (_lock) return [.. _requests]; } }
    public int Retries => Volatile.Read(ref _retries);
    public DateTimeOffset? SendingEndedAt { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var tasks = new List<Task>();
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var due = timeline.LoadStartedAt + TimeSpan.FromSeconds(i / options.Rate);
            if (timeline.FaultsDone && due >= timeline.LoadEnd) break;
            var wait = due - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try { await Task.Delay(wait, ct); }
                catch (OperationCanceledException) { break; }
            }

            var record = new RequestRecord
            {
                Index = i,
                Key = $"fault-suite-{runId}-{i:D6}",
                Title = $"Fault suite {runId} #{i}",
                Slot = timeline.Current.Index,
                FirstSentAt = DateTimeOffset.UtcNow,
            };
            lock (_lock) _requests.Add(record);
            tasks.Add(Task.Run(() => SendAsync(record, ct), CancellationToken.None));
        }
        SendingEndedAt = DateTimeOffset.UtcNow;
        await Task.WhenAll(tasks);
    }

    private async Task SendAsync(RequestRecord record, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new { title = record.Title, maxStamps = 3 });
        var giveUpAt = record.FirstSentAt + options.GiveUpAfter;
        try
        {
            for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
            {
                record.Attempts = attempt;
                if (attempt > 1) Interlocked.Increment(ref _retries);
                // Capped exponential backoff with jitter: 0.25, 0.5, 1, 2, 4, 5, 5... s, each 0.5 to 1.5 times that.
                var retryAfter = TimeSpan.FromMilliseconds(Math.Min(5000, 250 * Math.Pow(2, attempt - 1)) * (0.5 + Random.Shared.NextDouble()));

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(options.ClientTimeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, DemoApi.CreatePath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    request.Headers.Add("Idempotency-Key", record.Key);
                    request.Headers.Authorization = DemoApi.Authorization;
                    using var response = await http.SendAsync(request, timeout.Token);
                    var text = await response.Content.ReadAsStringAsync(timeout.Token);
                    var status = (int)response.StatusCode;

                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        using var created = JsonDocument.Parse(text);
                        var id = created.RootElement.GetProperty("id").GetString()
                                 ?? throw new InvalidOperationException("201 without an id");
                        record.RequestIdsSeen.Add(id);
                        record.RequestId = id;
                        record.AcceptedAt = DateTimeOffset.UtcNow;
                        record.Replayed = response.Headers.TryGetValues("Idempotency-Replayed", out var replayed) && replayed.Contains("true");
                        return;
                    }
                    var code = ProblemCode(text);
                    record.LastError = $"{status} {code}".Trim();
                    if (status == 409 && code == "IDEMPOTENCY_REQUEST_IN_PROGRESS")
                        retryAfter = TimeSpan.FromMilliseconds(250 + Random.Shared.Next(500));
                    else if (status == 429)
                        retryAfter = (response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)) + TimeSpan.FromMilliseconds(Random.Shared.Next(200));
                    else if (status < 500)
                    {
                        record.Rejection = record.LastError;
                        record.RejectionStatus = status;
                        record.RejectionCode = code.Length > 0 ? code : null;
                        return;
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    record.LastError = $"timeout ({options.ClientTimeout.TotalSeconds:0.#} s)";
                }
                catch (HttpRequestException e)
                {
                    record.LastError = e.HttpRequestError.ToString();
                }

                if (DateTimeOffset.UtcNow + retryAfter > giveUpAt) return;
                await Task.Delay(retryAfter, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // interrupted
        }
        finally
        {
            record.Done = true;
        }
    }

    private static string ProblemCode(string text)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("title", out var title)
                ? title.GetString() ?? ""
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
