using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProductionTests.Contracts;

namespace ProductionTests.RequestsApi.Report;

/// <summary>Configuration section <c>Tpas</c>: where requests-api reads challenge statistics.</summary>
public sealed class TpasReportOptions
{
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:5090/");

    /// <summary>A report waits this long for tpas-backend, then answers 503.</summary>
    public int TimeoutSeconds { get; set; } = 3;
}

/// <summary>tpas-backend owns participations: the report's figures and the challenge as it stands now come from it.</summary>
public sealed class TpasReportClient(HttpClient http)
{
    public sealed record ProviderStats(string ProviderId, int ParticipationCount, int ClaimCount, double? AverageCompletionSeconds);
    public sealed record ChallengeStats(ChallengeSnapshot Challenge, int TotalParticipations, int TotalClaims, IReadOnlyList<ProviderStats> ProviderBreakdown);

    /// <summary>The statistics, or null when tpas-backend does not know the challenge.</summary>
    /// <exception cref="ReportUnavailableException">tpas-backend is down, failing or too slow.</exception>
    public async Task<ChallengeStats?> GetStatsAsync(string challengeId, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync($"v1/challenges/{Uri.EscapeDataString(challengeId)}/stats", ct);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode) throw new ReportUnavailableException($"tpas-backend answered {(int)response.StatusCode}");
            return await response.Content.ReadFromJsonAsync<ChallengeStats>(JsonSerializerOptions.Web, ct)
                ?? throw new ReportUnavailableException("tpas-backend answered no statistics");
        }
        catch (HttpRequestException e)
        {
            throw new ReportUnavailableException($"tpas-backend could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ReportUnavailableException($"tpas-backend did not answer within {http.Timeout.TotalSeconds:0.#} s", e);
        }
        catch (JsonException e)
        {
            throw new ReportUnavailableException("tpas-backend answered statistics that could not be read", e);
        }
    }
}

/// <summary>
/// tpas-backend cannot give a report now (down, failing, too slow): the caller gets 503 and asks again. Not the
/// scheduler's TpasUnavailableException, which makes a consumer retry; each service answers its own way.
/// </summary>
public sealed class ReportUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
