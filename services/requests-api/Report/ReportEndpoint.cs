using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Mvc;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.RequestsApi.Report;

/// <param name="Challenge">The challenge as tpas-backend describes it now.</param>
public sealed record ChallengeReport(ChallengeResponse Challenge, ChallengeReportStats Stats);

/// <param name="ProviderBreakdown">Every provider of the challenge, in the challenge's order; 0 where nobody came.</param>
public sealed record ChallengeReportStats(int TotalParticipations, int TotalClaims, IReadOnlyList<ProviderBreakdown> ProviderBreakdown);

/// <param name="AverageCompletionSeconds">How long participants took to verify with this provider, on average; null while nobody has.</param>
public sealed record ProviderBreakdown(string ProviderId, string ProviderName, int ClaimCount, double? AverageCompletionSeconds);

/// <summary>GET .../{challenge_id}/report: how the challenge went, for the app that owns it.</summary>
public static class ReportEndpoint
{
    public static async Task<IResult> Handle([FromRoute(Name = "client_id")] string clientId, [FromRoute(Name = "challenge_id")] string challengeId,
        ClaimsPrincipal user, IQuerySession session, TpasReportClient tpas, ReferenceDataCache referenceData, CancellationToken ct)
    {
        var app = await AppAccess.FindAsync(referenceData, user.WorkspaceId(), clientId, ct);
        if (app is null) return AppAccess.NotFound(clientId);

        // Only a challenge scheduled for this app is visible: another app's, another workspace's and an
        // unknown id all answer the same 404.
        var notFound = Problem.NotFound($"No challenge '{challengeId}' exists for app '{clientId}'.");
        var owned = AppAccess.IsPlausibleId(challengeId) && await session.Query<ChallengeRequestView>().AnyAsync(v => v.ChallengeId == challengeId && v.ClientId == app.Id, ct);
        if (!owned) return notFound;

        TpasReportClient.ChallengeStats? stats;
        try
        {
            stats = await tpas.GetStatsAsync(challengeId, ct);
        }
        catch (ReportUnavailableException e)
        {
            return Problem.Of(503, ErrorCodes.ProviderUnavailable,
                $"The challenge backend is unavailable ({e.Message}); retry shortly.", new { dependency = "tpas-backend" },
                new Dictionary<string, string> { ["Retry-After"] = "5" });
        }
        if (stats is null) return notFound;

        var sources = stats.Challenge.Sources;
        var names = (await referenceData.LoadManyAsync<Provider>(sources, p => p.Id, ct)).ToDictionary(p => p.Key, p => p.Value.Name);
        var breakdown = sources.Select(id =>
        {
            var figures = stats.ProviderBreakdown.FirstOrDefault(p => p.ProviderId == id);
            return new ProviderBreakdown(id, names.GetValueOrDefault(id, id), figures?.ClaimCount ?? 0, figures?.AverageCompletionSeconds);
        }).ToList();

        return TypedResults.Ok(new ChallengeReport(
            ChallengeResponse.From(stats.Challenge),
            new ChallengeReportStats(stats.TotalParticipations, stats.TotalClaims, breakdown)));
    }
}
