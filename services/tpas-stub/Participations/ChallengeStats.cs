using ProductionTests.TpasStub.Challenges;

namespace ProductionTests.TpasStub.Participations;

/// <summary>The answer of <c>GET /v1/challenges/{id}/stats</c>.</summary>
/// <param name="Challenge">The challenge as <c>GET /v1/challenges/{id}</c> answers it.</param>
/// <param name="ProviderBreakdown">One entry per source of the challenge, in the sources' order, visited or not.</param>
public sealed record ChallengeStats(
    Challenge Challenge,
    int TotalParticipations,
    int TotalClaims,
    IReadOnlyList<ProviderStats> ProviderBreakdown)
{
    public static ChallengeStats Of(Challenge challenge, IReadOnlyList<Participation> participations) =>
        new(
            challenge,
            participations.Count,
            participations.Count(p => p.StampClaimed),
            challenge.Sources.Distinct(StringComparer.Ordinal)
                .Select(provider => ProviderStats.Of(provider, participations.Where(p => p.ProviderId == provider).ToList()))
                .ToList());
}

/// <param name="AverageCompletionSeconds">Over the provider's participations, rounded to 1 decimal (halves away from zero); null when there were none.</param>
public sealed record ProviderStats(
    string ProviderId,
    int ParticipationCount,
    int ClaimCount,
    double? AverageCompletionSeconds)
{
    public static ProviderStats Of(string providerId, IReadOnlyList<Participation> participations) =>
        new(
            providerId,
            participations.Count,
            participations.Count(p => p.StampClaimed),
            participations.Count == 0
                ? null
                : Math.Round(participations.Average(p => p.CompletionSeconds), 1, MidpointRounding.AwayFromZero));
}
