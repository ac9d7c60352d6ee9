using ProductionTests.TpasStub.Challenges;

namespace ProductionTests.TpasStub.Participations;

/// <summary>The shape of a participation; the challenge's rules are <see cref="ParticipationRules"/>.</summary>
public static class CreateParticipationValidation
{
    /// <returns>Why the body is refused, or null when it is acceptable.</returns>
    public static string? Refusal(CreateParticipationBody body)
    {
        if (string.IsNullOrWhiteSpace(body.ProviderId))
            return "'providerId' is required and must not be empty.";
        if (string.IsNullOrWhiteSpace(body.UserId))
            return "'userId' is required and must not be empty.";
        if (body.Platform is null || !CreateChallengeValidation.Platforms.Contains(body.Platform))
            return $"'platform' is required and must be one of {string.Join(", ", CreateChallengeValidation.Platforms)}.";
        if (body.CompletionSeconds is not { } seconds || !double.IsFinite(seconds) || seconds < 0)
            return "'completionSeconds' is required and must be a number, 0 or more.";
        return null;
    }
}
