using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class ReportTests(ApiFixture api) : IAsyncLifetime
{
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);

    public Task InitializeAsync() => api.Platform.ResetStubFaultsAsync();
    public Task DisposeAsync() => api.Platform.ResetStubFaultsAsync();

    [Fact]
    public async Task The_report_counts_participations_and_claims_per_provider()
    {
        var challengeId = await ScheduleAsync(new { title = "Report", providerIds = new[] { "smartid", "bankidse", "mitid" }, maxStamps = 2 });
        await ParticipateAsync(challengeId, "bankidse", "user-1", 10);
        await ParticipateAsync(challengeId, "bankidse", "user-2", 21);
        await ParticipateAsync(challengeId, "smartid", "user-3", 30);

        var report = await (await _acme.GetAsync(ReportUrl(AcmeBank, challengeId))).ShouldBeJson(HttpStatusCode.OK);

        var challenge = report.GetProperty("challenge");
        Assert.Equal(challengeId, challenge.GetProperty("id").GetString());
        Assert.NotEqual(JsonValueKind.Null, challenge.GetProperty("completedAt").ValueKind);
        var stats = report.GetProperty("stats");
        Assert.Equal(3, stats.GetProperty("totalParticipations").GetInt32());
        Assert.Equal(2, stats.GetProperty("totalClaims").GetInt32());
        var breakdown = stats.GetProperty("providerBreakdown").EnumerateArray().ToList();
        Assert.Equal(["smartid", "bankidse", "mitid"], breakdown.Select(b => b.GetProperty("providerId").GetString()));
        Assert.Equal(["Smart-ID", "BankID SE", "MitID"], breakdown.Select(b => b.GetProperty("providerName").GetString()));
        Assert.Equal([0, 2, 0], breakdown.Select(b => b.GetProperty("claimCount").GetInt32()));
        Assert.Equal(30, breakdown[0].GetProperty("averageCompletionSeconds").GetDouble());
        Assert.Equal(15.5, breakdown[1].GetProperty("averageCompletionSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, breakdown[2].GetProperty("averageCompletionSeconds").ValueKind);
    }

    [Fact]
    public async Task A_challenge_nobody_joined_reports_zeros_for_every_provider()
    {
        var challengeId = await ScheduleAsync(new { title = "Empty report" });

        var stats = (await (await _acme.GetAsync(ReportUrl(AcmeBank, challengeId))).ShouldBeJson(HttpStatusCode.OK)).GetProperty("stats");

        Assert.Equal(0, stats.GetProperty("totalParticipations").GetInt32());
        Assert.Equal(0, stats.GetProperty("totalClaims").GetInt32());
        Assert.Equal(3, stats.GetProperty("providerBreakdown").GetArrayLength());
        Assert.All(stats.GetProperty("providerBreakdown").EnumerateArray(), b => Assert.Equal(0, b.GetProperty("claimCount").GetInt32()));
    }

    [Fact]
    public async Task A_challenge_that_is_not_this_apps_is_not_found()
    {
        var challengeId = await ScheduleAsync(new { title = "Not yours" });

        await (await _acme.GetAsync(ReportUrl(AcmeShop, challengeId))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await api.Sandbox.ClientWithKey(GlobexKey).GetAsync(ReportUrl(GlobexPay, challengeId))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await api.Sandbox.ClientWithKey(GlobexKey).GetAsync(ReportUrl(AcmeBank, challengeId))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await _acme.GetAsync(ReportUrl(AcmeBank, "chl_unknown"))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
    }

    [Theory]
    [InlineData("down")]
    [InlineData("slow")]
    public async Task With_the_backend_down_or_slow_the_report_is_503_with_retry_after(string fault)
    {
        var challengeId = await ScheduleAsync(new { title = $"Backend {fault}" });
        // The API's patience with tpas-backend is 2 s in these tests.
        await api.Platform.SetStubFaultsAsync(fault == "down" ? new { down = true } : new { latencyMs = 10_000 });

        var response = await _acme.GetAsync(ReportUrl(AcmeBank, challengeId));

        await response.ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "PROVIDER_UNAVAILABLE");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    private static string ReportUrl(string clientId, string challengeId) => $"{HttpAssertions.ProductionTests(clientId)}/{challengeId}/report";

    private async Task<string> ScheduleAsync(object body)
    {
        var id = (await (await _acme.CreateProductionTest(AcmeBank, body)).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var scheduled = await SchedulingTests.WaitForStatusAsync(_acme, AcmeBank, id, "scheduled");
        return scheduled.GetProperty("challengeId").GetString()!;
    }

    private async Task ParticipateAsync(string challengeId, string providerId, string userId, double seconds)
    {
        var response = await api.Platform.Stub.PostAsJsonAsync($"v1/challenges/{challengeId}/participations",
            new { providerId, userId, platform = "ios", completionSeconds = seconds });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
