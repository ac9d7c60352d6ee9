
namespace ProductionTests.RequestsApi.Create.Idempotency;

/// <summary>
/// What a key was used for: committed in the same transaction as the request's stream, so a key never
/// exists without its request nor a request without its key. Holds the exact response to replay.
/// </summary>
public sealed record IdempotencyRecord(
    string Id,
    string WorkspaceId,
    string Key,
    string ClientId,
    string Fingerprint,
    string RequestId,
    int Status,
    string Body,
    string Location,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>Keys are scoped per workspace.</summary>
    public static string IdFor(string workspaceId, string key) => $"{workspaceId}:{key}";
}

/// <summary>What to do with a POST that carries a key, given what the key was used for before.</summary>
public static class IdempotencyDecision
{
    public abstract record Decision;
    /// <summary>Create the request; <see cref="Reuse"/> when an expired record is to be replaced.</summary>
    public sealed record Proceed(bool Reuse) : Decision;
    public sealed record Replay(IdempotencyRecord Record) : Decision;
    public sealed record Conflict(string Reason) : Decision;

    public static Decision Decide(IdempotencyRecord? existing, string clientId, string fingerprint, DateTimeOffset now)
    {
        if (existing is null) return new Proceed(Reuse: false);
        if (existing.ExpiresAt <= now) return new Proceed(Reuse: true);
        if (existing.ClientId != clientId)
            return new Conflict($"This Idempotency-Key was used for app {existing.ClientId}.");
        if (existing.Fingerprint != fingerprint)
            return new Conflict("This Idempotency-Key was used with a different request body.");
        return new Replay(existing);
    }
}
