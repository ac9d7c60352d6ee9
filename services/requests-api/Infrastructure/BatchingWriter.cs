using System.Threading.Channels;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// One writer that commits whatever work is waiting (up to <see cref="MaxBatch"/> items) in one
/// transaction, each caller answered only after that commit. While one commit is in flight the next
/// items queue up, so batches grow with the load and a lone item waits for nobody.
/// A batch that fails for anything but an unreachable database is committed again one item at a time,
/// so a bad item fails alone; an unreachable database fails the whole batch at once.
/// </summary>
public abstract class BatchingWriter<TItem, TResult>(ILogger logger) : BackgroundService where TItem : class
{
    public const int MaxBatch = 64;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(4 * 1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>An item waiting for its commit and the caller waiting for its result.</summary>
    protected sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;
        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Commits these items in one transaction and sets each one's result once it is committed.</summary>
    protected abstract Task CommitTogetherAsync(IReadOnlyList<Pending> batch);

    /// <summary>Queues the item and returns its result once it is committed; null when the service is stopping.</summary>
    protected async Task<TResult?> SubmitAsync(TItem item, CancellationToken ct)
    {
        var pending = new Pending(item);
        try
        {
            await _queue.Writer.WriteAsync(pending, ct);
        }
        catch (ChannelClosedException)
        {
            return default;
        }
        // The caller going away does not withdraw the item: it may already be committing.
        return await pending.Result.Task.WaitAsync(ct);
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
            foreach (var pending in batch) pending.Result.TrySetException(e);
        }
    }
}
