using ProductionTests.TpasStub.Challenges;
using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Participations;

/// <summary>
/// The challenge's rules for a well-formed participation, in the order they are checked: inactive,
/// expired, provider not a source, platform not the target, duplicate. Stamps are not a rule: once
/// they are all claimed, participations are still recorded, claiming none.
/// </summary>
public static class ParticipationRules
{
    /// <param name="earlier">The participations already recorded on <paramref name="challenge"/>.</param>
    /// <returns>The first rule that refuses the participation, or null when it may be recorded.</returns>
    public static ParticipationRefusal? Refusal(
        Challenge challenge, CreateParticipationBody body, DateTimeOffset now, IReadOnlyList<Participation> earlier)
    {
        if (!challenge.IsActive)
            return new(409, Problem.ChallengeInactive, $"Challenge '{challenge.Id}' has been deactivated.");
        if (now >= challenge.ExpiresAt)
            return new(409, Problem.ChallengeExpired, $"Challenge '{challenge.Id}' expired at {challenge.ExpiresAt:O}.");
        if (!challenge.Sources.Contains(body.ProviderId!, StringComparer.Ordinal))
            return new(422, Problem.ProviderNotInChallenge,
                $"Provider '{body.ProviderId}' is not one of the challenge's sources ({string.Join(", ", challenge.Sources)}).");
        if (challenge.TargetPlatform is { } target && target != body.Platform)
            return new(422, Problem.PlatformNotAllowed, $"The challenge is for {target} only, not {body.Platform}.");
        if (!challenge.AllowDuplicateParticipation
            && earlier.Any(p => p.UserId == body.UserId && p.ProviderId == body.ProviderId))
            return new(409, Problem.DuplicateParticipation,
                $"User '{body.UserId}' has already participated with provider '{body.ProviderId}' and the challenge does not allow duplicates.");
        return null;
    }
}
