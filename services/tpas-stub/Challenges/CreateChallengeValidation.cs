namespace ProductionTests.TpasStub.Challenges;

/// <summary>Minimal checks: enough to catch a client sending a malformed request, not tpas-backend's full rules.</summary>
public static class CreateChallengeValidation
{
    public static readonly IReadOnlyList<string> Platforms = ["ios", "android"];

    /// <returns>Why the body is refused, or null when it is acceptable.</returns>
    public static string? Refusal(CreateChallengeBody body, string idempotencyKey)
    {
        if (body.RequestId is not null && body.RequestId != idempotencyKey)
            return $"'requestId' ({body.RequestId}) must equal the Idempotency-Key header ({idempotencyKey}).";
        if (string.IsNullOrWhiteSpace(body.Title))
            return "'title' is required and must not be empty.";
        if (body.ProviderIds is null || body.ProviderIds.Count == 0)
            return "'providerIds' must list at least one provider.";
        if (body.ProviderIds.Any(string.IsNullOrWhiteSpace))
            return "'providerIds' must not contain empty ids.";
        if (body.MaxStampClaims is null or < 1)
            return "'maxStampClaims' is required and must be at least 1.";
        if (body.TargetPlatform is not null && !Platforms.Contains(body.TargetPlatform))
            return $"'targetPlatform' must be null or one of {string.Join(", ", Platforms)}.";
        if (string.IsNullOrWhiteSpace(body.HostName))
            return "'hostName' is required and must not be empty.";
        return null;
    }
}
