using Marten;
using Npgsql;
using NpgsqlTypes;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Create.Idempotency;
using ProductionTests.RequestsApi.Relay;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Webhooks;

namespace ProductionTests.RequestsApi.Create;

/// <summary>
/// Commits concurrent creates together (see <see cref="BatchingWriter{TItem,TResult}"/>): their events,
/// views, idempotency records and webhook deliveries in one transaction of three round trips (the keys'
/// locks and records, Marten's batch, the commit), then wakes the relay.
/// </summary>
public sealed class CreateWriter(IDocumentStore store, WriterConnections connections, RelayWakeup relayWakeup, WebhookIntake webhooks, TimeProvider clock, ILogger<CreateWriter> logger)
    : BatchingWriter<PendingCreate, CreateOutcome>(logger)
{
    /// <summary>Queues the create and returns once it is committed (or refused).</summary>
    public async Task<CreateOutcome> CommitAsync(PendingCreate create, CancellationToken ct) =>
        await SubmitAsync(create, ct) ?? new CreateOutcome.ShuttingDown();

    protected override string SpanName => "create";
    protected override string RequestIdOf(PendingCreate item) => item.Event.RequestId;

    protected override async Task CommitTogetherAsync(IReadOnlyList<Pending> batch)
    {
        var now = clock.GetUtcNow();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var connection = connections.Create();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction, shouldAutoCommit: false));

        var creates = batch.Select(p => p.Item).ToList();
        var decided = await DecideKeysAsync(creates, connection, transaction, now);
        var created = new List<AppendedRequestEvent>(creates.Count);
        foreach (var create in creates)
        {
            var decision = decided.GetValueOrDefault(create);
            if (decision is not null and not IdempotencyDecision.Proceed)
                continue;

            var requested = create.Event;
            var stream = session.Events.StartStream<ChallengeRequestView>(requested.RequestId, requested);
            if (create.TraceParent is { } traceparent) stream.Events[0].SetHeader(ChallengeRequestedRelay.TraceHeader, traceparent);
            if (create.Idempotency is { } key)
            {
                var record = new IdempotencyRecord(key.RecordId, requested.WorkspaceId, key.Key, requested.ClientId, key.Fingerprint,
                    requested.RequestId, StatusCodes.Status201Created, create.Body, create.Location, now, now + IdempotencyKey.Lifetime);
                if (decision is IdempotencyDecision.Proceed { Reuse: true }) session.Store(record);
                else session.Insert(record);
            }
            created.Add(new AppendedRequestEvent(requested.RequestId, 1, requested.ClientId, requested, ViewBefore: null));
        }

        var decidedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        if (created.Count > 0)
        {
            await webhooks.QueueAsync(session, created, CancellationToken.None);
            await session.SaveChangesAsync();
            await transaction.CommitAsync();
            relayWakeup.EventsCommitted();
        }
        logger.LogDebug("Committed {Created} of {Count} creates in {Elapsed:0.0} ms ({Decide:0.0} ms to open and decide the keys)", created.Count, batch.Count,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, System.Diagnostics.Stopwatch.GetElapsedTime(started, decidedAt).TotalMilliseconds);

        foreach (var pending in batch)
        {
            pending.Result.TrySetResult(decided.GetValueOrDefault(pending.Item) switch
            {
                IdempotencyDecision.Replay(var record) => new CreateOutcome.Replayed(record),
                IdempotencyDecision.Conflict(var reason) => new CreateOutcome.KeyConflict(reason),
                InProgress => new CreateOutcome.KeyInProgress(),
                _ => new CreateOutcome.Created(),
            });
        }
    }

    /// <summary>Marks a key that another request holds right now: in this batch, or in a transaction elsewhere.</summary>
    private sealed record InProgress : IdempotencyDecision.Decision;

    /// <summary>
    /// For each create with a key: a transaction-scoped advisory lock on the key, held until this batch
    /// commits (so a request with the same key in another instance's transaction is told it is in
    /// progress), then the decision against the stored record. A key twice in one batch: the later one
    /// is in progress. The locks and the read of the records go in one round trip, as two statements run
    /// in order: the read starts after the locks are held, so it sees any record committed by a holder
    /// before it let go (one statement would read from a snapshot taken before it locked).
    /// </summary>
    private async Task<Dictionary<PendingCreate, IdempotencyDecision.Decision>> DecideKeysAsync(
        IReadOnlyList<PendingCreate> batch, NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now)
    {
        var decided = new Dictionary<PendingCreate, IdempotencyDecision.Decision>(ReferenceEqualityComparer.Instance);
        var first = new Dictionary<string, PendingCreate>();
        foreach (var create in batch)
        {
            if (create.Idempotency is not { } key) continue;
            if (!first.TryAdd(key.RecordId, create)) decided[create] = new InProgress();
        }
        if (first.Count == 0) return decided;

        await using var lockAndRead = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT id FROM unnest($1) AS t(id) WHERE NOT pg_try_advisory_xact_lock(id)")
                {
                    Parameters = { new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = first.Keys.Select(IdempotencyKey.LockId).ToArray() } },
                },
                new NpgsqlBatchCommand($"SELECT data FROM {EventStoreSetup.Schema}.mt_doc_idempotencyrecord WHERE id = ANY($1)")
                {
                    Parameters = { new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = first.Keys.ToArray() } },
                },
            },
        };
        var heldElsewhere = new HashSet<long>();
        var stored = new Dictionary<string, IdempotencyRecord>();
        await using (var reader = await lockAndRead.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) heldElsewhere.Add(reader.GetInt64(0));
            await reader.NextResultAsync();
            var serializer = store.Options.Serializer();
            while (await reader.ReadAsync())
            {
                var record = serializer.FromJson<IdempotencyRecord>(reader, 0);
                stored[record.Id] = record;
            }
        }

        foreach (var (recordId, create) in first)
            decided[create] = heldElsewhere.Contains(IdempotencyKey.LockId(recordId))
                ? new InProgress()
                : IdempotencyDecision.Decide(stored.GetValueOrDefault(recordId), create.Event.ClientId, create.Idempotency!.Fingerprint, now);
        return decided;
    }
}

/// <summary>A create ready to commit: its event, its answer, and its key if it has one.</summary>
public sealed record PendingCreate(ChallengeRequested Event, string Body, string Location, string? TraceParent, PendingKey? Idempotency);

/// <summary>The Idempotency-Key a create carries.</summary>
public sealed record PendingKey(string RecordId, string Key, string Fingerprint);

public abstract record CreateOutcome
{
    public sealed record Created : CreateOutcome;
    public sealed record Replayed(IdempotencyRecord Record) : CreateOutcome;
    public sealed record KeyConflict(string Reason) : CreateOutcome;
    public sealed record KeyInProgress : CreateOutcome;
    public sealed record ShuttingDown : CreateOutcome;
}
