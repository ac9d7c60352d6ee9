using System.Diagnostics;
using System.Threading.Channels;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// One writer that commits whatever work is waiting (up to <see cref="MaxBatch"/> items) in one
/// transaction, each caller answered only after that commit. While one commit is in flight the next
/// items queue up, so batches grow with the load and a lone item waits for nobody.
/// A batch that fails for anything but an unreachable database is committed again one item at a time,
/// so a bad item fails alone; an unreachable database fails the whole batch at once.
/// <para>
/// Traces: each item waits in a span of its caller's trace (<c>&lt;name&gt; commit</c>); the batch is a span of
/// its own (<c>&lt;name&gt; batch</c>, a root: it serves many traces) holding the database calls, linked both
/// ways with the items' spans.
/// </para>
/// </summary>
public abstract class BatchingWriter<TItem, TResult>(ILogger logger) : BackgroundService where TItem : class
{
    public const int MaxBatch = 64;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(4 * 1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>An item waiting for its commit and the caller waiting for its result.</summary>
    protected sealed class Pending(TItem item, Activity? span)
    {
        public TItem Item { get; } = item;
        /// <summary>The item's span in its caller's trace, while it waits for its commit; null when nobody listens.</summary>
        public Activity? Span { get; } = span;
        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Commits these items in one transaction and sets each one's result once it is committed.</summary>
    protected abstract Task CommitTogetherAsync(IReadOnlyList<Pending> batch);

    /// <summary>What the spans are called: <c>&lt;name&gt; commit</c> and <c>&lt;name&gt; batch</c>.</summary>
    protected abstract string SpanName { get; }

    /// <summary>The request an item belongs to, for its span.</summary>
    protected abstract string RequestIdOf(TItem item);

    // Built once: a name is needed on every submit, traced or not.
    private string CommitSpanName => field ??= $"{SpanName} commit";
    private string BatchSpanName => field ??= $"{SpanName} batch";

    /// <summary>Queues the item and returns its result once it is committed; null when the service is stopping.</summary>
    protected async Task<TResult?> SubmitAsync(TItem item, CancellationToken ct)
    {
        using var span = Telemetry.Source.StartActivity(CommitSpanName);
        span?.SetTag(Telemetry.RequestIdTag, RequestIdOf(item));
        var pending = new Pending(item, span);
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
            // The caller going away does not withdraw the item: it may already be committing.
            return await pending.Result.Task.WaitAsync(ct);
        }
        catch (ChannelClosedException)
        {
            return default;
        }
        catch (Exception e) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // What is queued is still committed; new items are turned away.
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
            await CommitBatchAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitBatchAsync(List<Pending> batch)
    {
        using var span = StartBatchSpan(batch);
        try
        {
            await CommitTogetherAsync(batch);
        }
        catch (Exception e) when (batch.Count > 1 && !ContractExceptionHandler.IsDatabaseUnavailable(e))
        {
            logger.LogWarning(e, "A batch of {Count} failed; committing them one at a time", batch.Count);
            foreach (var pending in batch.Where(p => !p.Result.Task.IsCompleted))
            {
                try { await CommitTogetherAsync([pending]); }
                catch (Exception single) { pending.Result.TrySetException(single); }
            }
        }
        catch (Exception e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            foreach (var pending in batch) pending.Result.TrySetException(e);
        }
    }

    private Activity? StartBatchSpan(List<Pending> batch)
    {
        if (!Telemetry.Source.HasListeners()) return null;
        Activity.Current = null;   // a root: the batch is no one request's
        var span = Telemetry.Source.StartActivity(BatchSpanName, ActivityKind.Internal, parentContext: default,
            tags: [new("production_tests.batch.size", batch.Count)],
            links: batch.Where(p => p.Span is not null).Select(p => new ActivityLink(p.Span!.Context)));
        if (span is not null)
            foreach (var pending in batch) pending.Span?.AddLink(new ActivityLink(span.Context));
        return span;
    }
}
