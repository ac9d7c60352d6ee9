using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.IntegrationTests.Infrastructure;

namespace ProductionTests.IntegrationTests.Contract;

/// <summary>The contract check that every integration test runs through must itself catch what it is there to catch.</summary>
[Collection(ApiCollection.Name)]
public sealed class ContractCheckTests(ApiFixture api)
{
    private const string List = "/connect/v1/apps/FK5b0KSM/production-tests";
    private const string Request = """{"id":"req_1","clientId":"FK5b0KSM","status":"scheduled","payload":{"title":"t","description":null,"providerIds":["bankidse"],"maxStampClaims":3,"targetPlatform":null,"allowDuplicateParticipation":false,"hostName":"Acme Bank"},"challengeId":"chl_1","createdAt":"2026-11-26T07:38:31.799Z"}""";
    private const string Challenge = """{"id":"chl_1","title":"t","expiresAt":"2026-12-26T07:38:32.101Z","createdAt":"2026-11-26T07:38:32.101Z","isActive":true,"challengeMode":"first_come","sponsor":{"name":"Acme Bank"},"sources":["bankidse"]}""";

    private Task<IReadOnlyList<string>> Check(string method, string path, int status, string? contentType, string body, Dictionary<string, string>? headers = null)
    {
        var check = api.Sandbox.Services.GetRequiredService<ContractCheck>();
        return check.CheckAsync(new(method, path, status, contentType, headers ?? [], Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public async Task A_list_as_the_API_answers_it_passes() =>
        Assert.Empty(await Check("GET", List, 200, "application/json; charset=utf-8", $$"""[{"type":"challenge","request":{{Request}},"challenge":{{Challenge}}}]""",
            new() { ["ETag"] = "\"l1-7-e3b0c44298fc\"", ["Cache-Control"] = "private, no-cache" }));

    [Fact]
    public async Task A_sponsor_sent_as_a_string_fails_both_schemas()
    {
        var violations = await Check("GET", List, 200, "application/json", $$"""[{"type":"challenge","request":{{Request}},"challenge":{{Challenge.Replace("""{"name":"Acme Bank"}""", "\"Acme Bank\"")}}}]""");
        Assert.Contains(violations, v => v.Contains("OpenAPI body") && v.Contains("sponsor"));
        Assert.Contains(violations, v => v.Contains("Hopae's schema") && v.Contains("sponsor"));
    }

    [Fact]
    public async Task A_null_where_a_string_is_optional_fails_Hopae()
    {
        var violations = await Check("GET", List, 200, "application/json", $$"""[{"type":"request","request":{{Request.Replace("\"chl_1\"", "null")}}}]""");
        Assert.Contains(violations, v => v.Contains("Hopae's schema") && v.Contains("challengeId"));
    }

    [Fact]
    public async Task An_undocumented_status_fails() =>
        Assert.Contains(await Check("GET", List, 418, "application/problem+json", "{}"), v => v.Contains("418 is not documented"));

    [Fact]
    public async Task An_error_that_is_not_a_problem_fails()
    {
        Assert.Contains(await Check("GET", "/connect/v1/nowhere", 400, null, ""), v => v.Contains("must be application/problem+json"));
        Assert.Contains(await Check("GET", List, 404, "application/problem+json", """{"title":"NOT_A_CODE"}"""), v => v.Contains("OpenAPI body"));
    }

    [Fact]
    public async Task A_created_request_without_its_Location_or_with_a_wrong_status_value_fails()
    {
        var violations = await Check("POST", List, 201, "application/json", Request.Replace("\"scheduled\"", "\"done\""));
        Assert.Contains(violations, v => v.Contains("required header Location is missing"));
        Assert.Contains(violations, v => v.Contains("OpenAPI body") && v.Contains("status"));
    }

    [Fact]
    public async Task A_503_without_Retry_After_fails() =>
        Assert.Contains(await Check("GET", List, 503, "application/problem+json",
            """{"type":"urn:x","title":"PROVIDER_UNAVAILABLE","status":503,"detail":"d","instance":"/i","timestamp":"2026-11-26T07:38:32.101Z"}"""),
            v => v.Contains("required header Retry-After is missing"));
}
