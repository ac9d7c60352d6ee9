namespace ProductionTests.TpasStub.Participations;

/// <summary>The body of <c>POST /v1/challenges/{id}/participations</c>. Everything is nullable so that validation, not the serializer, names what is missing.</summary>
public sealed record CreateParticipationBody(
    string? ProviderId,
    string? UserId,
    string? Platform,
    double? CompletionSeconds);
