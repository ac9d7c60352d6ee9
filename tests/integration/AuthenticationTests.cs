using System.Net;
using System.Net.Http.Headers;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(ApiFixture api)
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", HttpAssertions.ProductionTests(AcmeBank) },
        { "GET", HttpAssertions.ProductionTests(AcmeBank) },
        { "GET", $"{HttpAssertions.ProductionTests(AcmeBank)}/req_{Guid.Empty}" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_key_every_endpoint_answers_401(string method, string path)
    {
        var response = await api.Sandbox.CreateClient().SendAsync(Request(method, path, null));

        await response.ShouldBeProblem(HttpStatusCode.Unauthorized, "AUTH_INVALID_CREDENTIALS");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer sk_workspace_test_short")]
    [InlineData("Bearer sk_workspace_dev_acmeDemoKey0000000001")]
    [InlineData("Bearer sk_workspace_test_unknownKey00000000000001")]
    [InlineData("Bearer sk_workspace_test_acmeDemoKey0000000002")]
    public async Task A_malformed_or_unknown_key_is_401(string authorization)
    {
        foreach (var (method, path) in Endpoints.Select(row => ((string)row[0], (string)row[1])))
        {
            var request = Request(method, path, null);
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            await (await api.Sandbox.CreateClient().SendAsync(request)).ShouldBeProblem(HttpStatusCode.Unauthorized, "AUTH_INVALID_CREDENTIALS");
        }
    }

    [Fact]
    public async Task A_production_key_on_sandbox_and_a_test_key_on_production_are_403()
    {
        var count = await api.Store.CountRequests();

        await (await api.Sandbox.ClientWithKey(AcmeProdKey).CreateProductionTest(AcmeBank, new { title = "x" })).ShouldBeProblem(HttpStatusCode.Forbidden, "AUTH_FORBIDDEN");
        await (await api.Production.ClientWithKey(AcmeKey).CreateProductionTest(AcmeBank, new { title = "x" })).ShouldBeProblem(HttpStatusCode.Forbidden, "AUTH_FORBIDDEN");
        await (await api.Production.ClientWithKey(AcmeKey).GetAsync(HttpAssertions.ProductionTests(AcmeBank))).ShouldBeProblem(HttpStatusCode.Forbidden, "AUTH_FORBIDDEN");

        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task The_bearer_scheme_name_is_case_insensitive()
    {
        var client = api.Sandbox.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", AcmeKey);

        var response = await client.GetAsync(HttpAssertions.ProductionTests(AcmeBank));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path, string? key)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent("{\"title\":\"t\"}", System.Text.Encoding.UTF8, "application/json");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
