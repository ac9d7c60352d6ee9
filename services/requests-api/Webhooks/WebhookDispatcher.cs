using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Options;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>A receiver address the SSRF rules forbid, met when connecting (DNS may answer differently than at configuration time).</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

/// <summary>
/// Sends due deliveries. Each app (destination) has at most <see cref="WebhookOptions.ConcurrencyPerDestination"/>
/// attempts in flight, so a slow or dead receiver fills only its own slots and the other apps' deliveries go on;
/// the backlog waits in PostgreSQL, not in memory. Each attempt: the envelope POSTed with a fresh signature,
/// no redirects followed, the answer read up to <see cref="WebhookOptions.MaxResponseBytes"/>, all within
/// <see cref="WebhookOptions.Timeout"/>; a failure is retried after the next pause of the schedule, then given up.
/// Finished attempts are recorded in batches by one writer, and an attempt's slot is free once it is queued for
/// it: under a busy database a slot held through its own write made each app's throughput the database's latency.
/// The queue is bounded, so a database that cannot keep up holds the slots, and claims stop.
/// An app whose receiver keeps failing is paused (<see cref="WebhookDestinationPauses"/>): its deliveries wait unclaimed.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveries deliveries, WebhookDispatchSignal signal, IDocumentStore store, SecretBox secrets, WebhookUrlPolicy policy,
    IWebhookHostResolver resolver, WebhookDestinationPauses pauses, IOptions<WebhookOptions> options, TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly WebhookOptions _options = options.Value;
    private readonly IReadOnlyList<TimeSpan> _retryDelays = options.Value.RetryDelays;
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, string> _openedSecrets = new();
    private readonly Channel<FinishedAttempt> _finished = Channel.CreateBounded<FinishedAttempt>(
        new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private const int RecordBatch = 256;
    private int _total;
    private long _lastClaim;
    private HttpClient? _http;
    private (DateTimeOffset At, Dictionary<string, WebhookConfigView> Configs) _configs = (DateTimeOffset.MinValue, []);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!secrets.Configured)
        {
            logger.LogInformation("Webhooks:SecretKey is not configured: the webhook dispatcher does not run");
            return;
        }
        _http = new HttpClient(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        var recorder = RecordAsync(stoppingToken);
        try
        {
            await DispatchAsync(stoppingToken);
        }
        finally
        {
            _finished.Writer.TryComplete();
            await recorder;
        }
    }

    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromMilliseconds(_options.PollMilliseconds);
            try
            {
                await deliveries.EnsureSchemaAsync(stoppingToken);
                wait = await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The webhook dispatcher could not claim deliveries; trying again shortly");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            // Else wait for the intake, a free slot, the end of a coalescing delay, or the poll.
            if (wait > TimeSpan.Zero)
            {
                try { await signal.WaitAsync(wait, stoppingToken); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>
    /// Claims due deliveries for every app with free slots (a paused app has none, or one for its probe) and starts their attempts;
    /// returns how long to wait before looking again: no more than the coalescing delay when an app got all it asked for (more may be due).
    /// Every finished attempt wakes the loop, so under load a claim per wake-up is a query per attempt; instead a claim comes at
    /// most every <see cref="WebhookOptions.ClaimCoalesceMilliseconds"/> and fills all the slots freed meanwhile, every app's
    /// own, in one query. When attempts are rarer than that (light load) each claim goes at once, as before.
    /// </summary>
    private async Task<TimeSpan> DispatchDueAsync(CancellationToken ct)
    {
        var poll = TimeSpan.FromMilliseconds(_options.PollMilliseconds);
        var coalesce = TimeSpan.FromMilliseconds(_options.ClaimCoalesceMilliseconds) - clock.GetElapsedTime(_lastClaim);
        if (coalesce > TimeSpan.Zero) return coalesce;
        var free = _options.ConcurrencyTotal - Volatile.Read(ref _total);
        if (free <= 0) return poll;
        var configs = await ConfigsAsync(ct);
        var clients = new List<string>();
        var slots = new List<int>();
        foreach (var (clientId, config) in configs)
        {
            var open = _options.ConcurrencyPerDestination - _inFlight.GetValueOrDefault(clientId);
            // A disabled app's deliveries are closed without sending anything: nothing to pause.
            if (open > 0 && config is { Enabled: true, Url: { } url }) open = pauses.Slots(clientId, url, open);
            if (open <= 0) continue;
            clients.Add(clientId);
            slots.Add(Math.Min(open, free));
        }
        if (clients.Count == 0) return poll;
        _lastClaim = clock.GetTimestamp();
        var now = clock.GetUtcNow();
        var claimed = await deliveries.ClaimAsync([.. clients], [.. slots], now, now + _options.Timeout + TimeSpan.FromSeconds(30), ct);
        foreach (var delivery in claimed)
        {
            _inFlight.AddOrUpdate(delivery.ClientId, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _total);
            var config = configs.GetValueOrDefault(delivery.ClientId);
            var probe = config is { Enabled: true, Url: { } url } && pauses.Claimed(delivery.ClientId, url);
            _ = Task.Run(() => AttemptAsync(delivery, config, probe, ct), CancellationToken.None);
        }
        var got = claimed.CountBy(d => d.ClientId).ToDictionary();
        return clients.Where((clientId, i) => got.GetValueOrDefault(clientId) == slots[i]).Any() ? TimeSpan.Zero : poll;
    }

    /// <summary>The apps' configurations, read at most once a second (a change reaches the dispatcher within a second).</summary>
    private async Task<Dictionary<string, WebhookConfigView>> ConfigsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _configs.At < TimeSpan.FromSeconds(1)) return _configs.Configs;
        await using var session = store.QuerySession();
        var all = await session.Query<WebhookConfigView>().ToListAsync(ct);
        _configs = (now, all.Where(c => c.ClientId.Length > 0).GroupBy(c => c.ClientId).ToDictionary(g => g.Key, g => g.Last()));
        return _configs.Configs;
    }

    private async Task AttemptAsync(ClaimedDelivery delivery, WebhookConfigView? config, bool probe, CancellationToken stopping)
    {
        string? outcome = null;
        try
        {
            var started = clock.GetUtcNow();
            var watch = Stopwatch.StartNew();
            var result = config is { Enabled: true, Url: not null }
                ? await SendAsync(delivery, config, stopping)
                : new AttemptResult("disabled", null, "The app's webhook is disabled: not sent.", false, false);
            outcome = result.Outcome;
            var next = !result.Delivered && result.Retry && delivery.RetryStep < _retryDelays.Count
                ? clock.GetUtcNow() + _retryDelays[delivery.RetryStep]
                : (DateTimeOffset?)null;
            await _finished.Writer.WriteAsync(new FinishedAttempt(delivery, started, watch.Elapsed, result, next), stopping);
            // A failed attempt is the app's receiver's business and is recorded for its owner: Debug, as a request's
            // ordinary progress (decision 0010); a dead receiver would otherwise log every attempt. Given up: Information.
            if (!result.Delivered)
                logger.Log(next is null ? LogLevel.Information : LogLevel.Debug,
                    "Webhook delivery {DeliveryId} of {EventType} to {ClientId}, attempt {Attempt}: {Outcome} {StatusCode} {Error}{Next}",
                    delivery.Id, delivery.EventType, delivery.ClientId, delivery.Attempt, result.Outcome, result.StatusCode, result.Error,
                    next is null ? "; given up" : $"; next attempt at {next:O}");
        }
        catch (Exception e)
        {
            // Not recorded (shutdown): the lease runs out and the delivery is due again.
            logger.LogWarning(e, "Webhook delivery {DeliveryId}: the attempt could not be recorded; it will be retried after its lease", delivery.Id);
        }
        finally
        {
            if (config is { Enabled: true, Url: { } url }) pauses.Finished(delivery.ClientId, url, outcome, probe);
            _inFlight.AddOrUpdate(delivery.ClientId, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _total);
            signal.Set();
        }
    }

    /// <summary>
    /// Writes finished attempts, as many as are queued (up to <see cref="RecordBatch"/>) per statement. A batch that
    /// cannot be written is tried again every second (the queue fills meanwhile and the slots stay taken); at shutdown
    /// what is queued gets a few seconds, and whatever is left runs out its lease and is attempted again.
    /// </summary>
    private async Task RecordAsync(CancellationToken stoppingToken)
    {
        var batch = new List<FinishedAttempt>(RecordBatch);
        using var drain = new CancellationTokenSource();
        await using var _ = stoppingToken.Register(() => drain.CancelAfter(TimeSpan.FromSeconds(5)));
        try
        {
            while (await _finished.Reader.WaitToReadAsync(drain.Token))
            {
                while (batch.Count < RecordBatch && _finished.Reader.TryRead(out var finished)) batch.Add(finished);
                while (true)
                {
                    try
                    {
                        await deliveries.RecordAsync(batch, drain.Token);
                        break;
                    }
                    catch (Exception e) when (!drain.IsCancellationRequested)
                    {
                        logger.LogWarning(e, "Could not record {Count} webhook attempts; trying again in a second", batch.Count);
                        await Task.Delay(TimeSpan.FromSeconds(1), drain.Token);
                    }
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            logger.LogWarning("Shut down with {Count} webhook attempts not recorded: they are attempted again after their lease", batch.Count + _finished.Reader.Count);
        }
    }

    private async Task<AttemptResult> SendAsync(ClaimedDelivery delivery, WebhookConfigView config, CancellationToken stopping)
    {
        var now = clock.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        var signing = config.ValidSecrets(now).Select(s => _openedSecrets.GetOrAdd(s.SecretId, _ => secrets.Open(s.SealedSecret, config.ClientId, s.SecretId))).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Post, config.Url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.HeaderValue(signing, now.ToUnixTimeSeconds(), body));
        request.Headers.TryAddWithoutValidation("User-Agent", "ProductionTests-Webhooks/1");
        request.Headers.TryAddWithoutValidation("X-Hopae-Event-Id", delivery.EventId.ToString());

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.Timeout);
        var sent = false;
        try
        {
            using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            sent = true;
            var excerpt = await ReadLimitedAsync(response, timeout.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300
                ? new AttemptResult("delivered", status, null, false, false)
                : new AttemptResult("http_error", status, $"The receiver answered {status}{(excerpt.Length > 0 ? $": {excerpt}" : "")}", false, true);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new AttemptResult("timeout", null, $"No complete answer within {_options.TimeoutSeconds:0.#} s.", true, true);
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookAddressRefusedException refused)
        {
            return new AttemptResult("refused_address", null, refused.Message, false, true);
        }
        catch (HttpRequestException e) when (!sent && e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            return new AttemptResult("connection_failed", null, Describe(e), false, true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !stopping.IsCancellationRequested)
        {
            // The connection broke after the request may have been read: the receiver may have acted on it.
            return new AttemptResult("connection_lost", null, Describe(e), true, true);
        }
    }

    /// <summary>Reads at most MaxResponseBytes of the answer, and keeps a short printable excerpt.</summary>
    private async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[_options.MaxResponseBytes];
        var length = 0;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) break;
            length += read;
        }
        var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(length, 256));
        return new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
    }

    private static string Describe(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    /// <summary>
    /// No proxy, no redirects, no cookies, no decompression; every connection goes only to an address the
    /// SSRF rules allow, checked on the address actually connected to (after this resolution, not the one at configuration).
    /// </summary>
    private SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = _options.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        // Not a limit per destination (apps may share a host): the per-app slots are.
        MaxConnectionsPerServer = _options.ConcurrencyTotal,
        MaxResponseHeadersLength = 16, // KiB
        MaxResponseDrainSize = 0,
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = await resolver.ResolveAsync(host, ct);
            if (addresses.Length == 0) throw new WebhookAddressRefusedException($"'{host}' does not resolve.");
            foreach (var address in addresses)
            {
                if (policy.AddressRefusal(address) is { } refusal)
                    throw new WebhookAddressRefusedException($"'{host}' resolves to {address}, a {refusal} address: not connected.");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public override void Dispose()
    {
        _http?.Dispose();
        base.Dispose();
    }
}
