namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>Configuration section <c>Webhooks</c>. Defaults are production's; docs/webhooks.md lists them.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Base64 of 32 bytes: the AES-256-GCM key that seals signing secrets before they are stored. Without it
    /// no secret can be issued (PATCH/rotate answer 503) and nothing is delivered.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>Development and tests only: allows <c>http://</c> to loopback addresses (127.0.0.0/8, ::1) and nothing else more.</summary>
    public bool AllowInsecureLoopback { get; set; }

    /// <summary>Runs the dispatcher on this instance (every instance may: deliveries are claimed with a lease).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>One attempt's limit: connect, send, and read the answer.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>The pauses before attempts 2, 3, ... in seconds, comma-separated; after the last one fails the delivery is given up (status failed).</summary>
    public string RetryDelaysSeconds { get; set; } = "5,30,120,600,1800,3600,10800,21600";

    public IReadOnlyList<TimeSpan> RetryDelays => ParseSeconds(RetryDelaysSeconds);

    /// <summary>At most this many attempts in flight per app (destination), so a slow receiver holds back only its own deliveries.</summary>
    public int ConcurrencyPerDestination { get; set; } = 8;

    /// <summary>At most this many attempts in flight on this instance.</summary>
    public int ConcurrencyTotal { get; set; } = 64;

    /// <summary>How often the dispatcher looks for due deliveries when nothing woke it.</summary>
    public int PollMilliseconds { get; set; } = 200;

    /// <summary>
    /// At most one claim (the query that takes due deliveries) per this many milliseconds: under load, slots freed meanwhile are
    /// filled together instead of one query per finished attempt; a freed slot waits at most this long.
    /// </summary>
    public int ClaimCoalesceMilliseconds { get; set; } = 10;

    /// <summary>After this many failed attempts in a row, an app's deliveries are paused (not claimed) on this instance; 0 never pauses.</summary>
    public int PauseAfterFailures { get; set; } = 5;

    /// <summary>
    /// The pauses of a failing app in seconds, comma-separated: the first after <see cref="PauseAfterFailures"/>, the next after
    /// each failed probe (the one attempt sent when a pause ends), the last repeated; a probe that succeeds resumes the app.
    /// </summary>
    public string PauseSeconds { get; set; } = "5,30,120,600";

    public IReadOnlyList<TimeSpan> Pauses => ParseSeconds(PauseSeconds);

    /// <summary>
    /// A delivery still pending this long after it was queued (or redelivered) is given up (failed, "expired"), attempted or
    /// not, at the next <see cref="PurgeIntervalMinutes"/>: a receiver paused for that long gets no older backlog. Keep it above
    /// the sum of <see cref="RetryDelaysSeconds"/> (about 11 h by default).
    /// </summary>
    public double MaxAgeHours { get; set; } = 12;

    /// <summary>Only this much of a receiver's answer is read (and the first 256 characters kept in the attempt record).</summary>
    public int MaxResponseBytes { get; set; } = 4096;

    /// <summary>How long the previous signing secret stays valid (and signed with) after a rotation.</summary>
    public double SecretGraceHours { get; set; } = 24;

    /// <summary>Finished deliveries (delivered or given up) and their attempts are deleted once older than this; pending ones are kept.</summary>
    public double RetentionDays { get; set; } = 30;

    /// <summary>How often each instance looks for finished deliveries past <see cref="RetentionDays"/>.</summary>
    public double PurgeIntervalMinutes { get; set; } = 10;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public TimeSpan MaxAge => TimeSpan.FromHours(MaxAgeHours);

    private static List<TimeSpan> ParseSeconds(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => TimeSpan.FromSeconds(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture))).ToList();
}
