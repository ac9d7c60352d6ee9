namespace ProductionTests.TpasStub.Challenges;

/// <summary>The body of <c>POST /v1/challenges</c>. Everything is nullable so that validation, not the serializer, names what is missing.</summary>
/// <param name="RequestId">Optional; when given it must equal the <c>Idempotency-Key</c> header.</param>
public sealed record CreateChallengeBody(
    string? RequestId,
    string? Title,
    string? Description,
    IReadOnlyList<string>? ProviderIds,
    int? MaxStampClaims,
    string? TargetPlatform,
    bool? AllowDuplicateParticipation,
    string? HostName);
