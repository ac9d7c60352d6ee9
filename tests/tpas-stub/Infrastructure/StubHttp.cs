using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ProductionTests.TpasStub.Tests.Infrastructure;

public static class StubHttp
{
    public static string NewRequestId() => $"req_{Guid.CreateVersion7()}";

    /// <summary>A valid create body for <paramref name="requestId"/>; override fields with <c>with</c>.</summary>
    public static Body ValidBody(string requestId) =>
        new(requestId, "Smoke test", null, ["bankidse"], 3, null, false, "Acme Bank");

    public sealed record Body(
        string? RequestId,
        string? Title,
        string? Description,
        string[]? ProviderIds,
        int? MaxStampClaims,
        string? TargetPlatform,
        bool? AllowDuplicateParticipation,
        string? HostName);

    public static Task<HttpResponseMessage> CreateChallenge(this HttpClient client, string? idempotencyKey, object body) =>
        client.SendAsync(WithKey(new HttpRequestMessage(HttpMethod.Post, "/v1/challenges") { Content = JsonContent.Create(body) }, idempotencyKey));

    public static Task<HttpResponseMessage> CreateChallengeRaw(this HttpClient client, string? idempotencyKey, string json) =>
        client.SendAsync(WithKey(new HttpRequestMessage(HttpMethod.Post, "/v1/challenges")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        }, idempotencyKey));

    /// <summary>Creates a challenge from <see cref="ValidBody"/> changed by <paramref name="change"/>; returns its id.</summary>
    public static async Task<string> NewChallenge(this HttpClient client, Func<Body, Body>? change = null)
    {
        var requestId = NewRequestId();
        var body = (change ?? (b => b))(ValidBody(requestId));
        var challenge = await (await client.CreateChallenge(requestId, body)).ShouldBeJson(HttpStatusCode.Created);
        return challenge.GetProperty("id").GetString()!;
    }

    /// <summary>A valid participation on a challenge made from <see cref="ValidBody"/>; override fields with <c>with</c>.</summary>
    public static Participant ValidParticipant(string userId = "user-1") => new("bankidse", userId, "ios", 42.5);

    public sealed record Participant(string? ProviderId, string? UserId, string? Platform, double? CompletionSeconds);

    public static Task<HttpResponseMessage> Participate(this HttpClient client, string challengeId, object body) =>
        client.PostAsJsonAsync($"/v1/challenges/{challengeId}/participations", body);

    public static Task<HttpResponseMessage> ParticipateRaw(this HttpClient client, string challengeId, string json) =>
        client.PostAsync($"/v1/challenges/{challengeId}/participations", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Participates and asserts 201; returns the participation.</summary>
    public static async Task<JsonElement> Participated(this HttpClient client, string challengeId, object body) =>
        await (await client.Participate(challengeId, body)).ShouldBeJson(HttpStatusCode.Created);

    public static async Task<JsonElement> Participations(this HttpClient client, string challengeId) =>
        await (await client.GetAsync($"/v1/challenges/{challengeId}/participations")).ShouldBeJson(HttpStatusCode.OK);

    public static async Task<JsonElement> Stats(this HttpClient client, string challengeId) =>
        await (await client.GetAsync($"/v1/challenges/{challengeId}/stats")).ShouldBeJson(HttpStatusCode.OK);

    public static async Task<JsonElement> Challenge(this HttpClient client, string challengeId) =>
        await (await client.GetAsync($"/v1/challenges/{challengeId}")).ShouldBeJson(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> Deactivate(this HttpClient client, string challengeId) =>
        client.PostAsync($"/admin/challenges/{challengeId}/deactivate", null);

    public static Task<HttpResponseMessage> PutFaults(this HttpClient client, object knobs) =>
        client.PutAsJsonAsync("/admin/faults", knobs);

    /// <summary>The stub's record of one key's booking calls (<c>GET /admin/bookings/{key}</c>).</summary>
    public static async Task<JsonElement> Bookings(this HttpClient client, string key) =>
        await (await client.GetAsync($"/admin/bookings/{Uri.EscapeDataString(key)}")).ShouldBeJson(HttpStatusCode.OK);

    /// <summary>How many challenges the stub holds for a request (0 or 1).</summary>
    public static async Task<int> CountChallenges(this HttpClient client, string requestId)
    {
        var list = await (await client.GetAsync($"/v1/challenges?requestId={Uri.EscapeDataString(requestId)}")).ShouldBeJson(HttpStatusCode.OK);
        return list.GetArrayLength();
    }

    public static async Task<JsonElement> ShouldBeJson(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Asserts a problem+json answer with <c>{type,title,status,detail}</c>; returns it.</summary>
    public static async Task<JsonElement> ShouldBeProblem(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:tpas-stub:error:", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string? key)
    {
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
