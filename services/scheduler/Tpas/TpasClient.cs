using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProductionTests.Contracts;

namespace ProductionTests.Scheduler.Tpas;

/// <summary>
/// tpas-backend's challenge API. The request id is the idempotency key, so asking twice for the same
/// request gets the same challenge back. A refusal (4xx) is an answer; a 5xx, 408, 429, a timeout or a
/// refused connection is <see cref="TpasUnavailableException"/>, for the caller to retry.
/// </summary>
public sealed class TpasClient(HttpClient http)
{
    public abstract record Answer;
    public sealed record Created(ChallengeSnapshot Challenge) : Answer;
    /// <param name="Retryable">The refusal may clear (409, 423, 425): a later request may succeed.</param>
    public sealed record Refused(string Code, string Reason, bool Retryable = false) : Answer;

    private sealed record CreateChallenge(string RequestId, string Title, string? Description, IReadOnlyList<string> ProviderIds,
        int MaxStampClaims, string? TargetPlatform, bool AllowDuplicateParticipation, string HostName);

    private sealed record Problem(string? Title, string? Detail);

    public async Task<Answer> CreateChallengeAsync(ChallengeRequested request, CancellationToken ct)
    {
        var p = request.Payload;
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/challenges")
        {
            Content = JsonContent.Create(new CreateChallenge(request.RequestId, p.Title, p.Description, p.ProviderIds,
                p.MaxStampClaims, p.TargetPlatform, p.AllowDuplicateParticipation, p.HostName)),
        };
        message.Headers.Add("Idempotency-Key", request.RequestId);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, ct);
        }
        catch (HttpRequestException e)
        {
            throw new TpasUnavailableException($"tpas-backend could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TpasUnavailableException($"tpas-backend did not answer within {http.Timeout.TotalSeconds:0.#} s", e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                var challenge = await response.Content.ReadFromJsonAsync<ChallengeSnapshot>(JsonSerializerOptions.Web, ct)
                    ?? throw new TpasUnavailableException("tpas-backend answered an empty challenge");
                return new Created(challenge);
            }
            var status = (int)response.StatusCode;
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
                throw new TpasUnavailableException($"tpas-backend answered {status}");

            var problem = await ReadProblemAsync(response, ct);
            return new Refused(problem?.Title ?? "CHALLENGE_REFUSED", problem?.Detail ?? $"tpas-backend refused the challenge ({status}).",
                Retryable: status is 409 or 423 or 425);
        }
    }

    private static async Task<Problem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<Problem>(JsonSerializerOptions.Web, ct);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>tpas-backend is down, slow or overloaded: worth trying again later.</summary>
public sealed class TpasUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
