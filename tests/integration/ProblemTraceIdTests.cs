using System.Net;
using System.Text;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// Every problem names the request's trace (<c>traceId</c>, the W3C trace id its spans carry), so a
/// caller's error can be found in the traces: here the caller sends its own <c>traceparent</c>.
/// The rate limiter's and the exception handler's are in RateLimitTests and DependencyDownTests.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ProblemTraceIdTests(ApiFixture api)
{
    private static readonly string Url = HttpAssertions.ProductionTests(AcmeBank);

    public static TheoryData<string, string, string?, string?, HttpStatusCode, string> Refusals => new()
    {
        // method, path, key, JSON body (or text when it does not start with '{'), status, code
        { "GET", HttpAssertions.ProductionTests("NoSuchAp"), AcmeKey, null, HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND" },
        { "GET", "/nothing-here", AcmeKey, null, HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND" },
        { "DELETE", Url, AcmeKey, null, HttpStatusCode.MethodNotAllowed, "RESOURCE_METHOD_NOT_ALLOWED" },
        { "GET", Url, null, null, HttpStatusCode.Unauthorized, "AUTH_INVALID_CREDENTIALS" },
        { "GET", Url, AcmeProdKey, null, HttpStatusCode.Forbidden, "AUTH_FORBIDDEN" },
        { "POST", Url, AcmeKey, "title=x", HttpStatusCode.UnsupportedMediaType, "VALIDATION_UNSUPPORTED_MEDIA_TYPE" },
        { "POST", Url, AcmeKey, "{\"title\":\"\"}", HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER" },
        { "POST", Url, AcmeKey, "{}", HttpStatusCode.BadRequest, "VALIDATION_MISSING_PARAMETER" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_problem_carries_the_trace_id_of_the_callers_traceparent(string method, string path, string? key, string? body, HttpStatusCode status, string code)
    {
        var (traceParent, traceId) = HttpAssertions.NewTrace();
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("traceparent", traceParent);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "text/plain");

        var problem = await (await api.Sandbox.ClientWithKey(key).SendAsync(request)).ShouldBeProblem(status, code);

        Assert.Equal(traceId, problem.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Without_a_traceparent_each_problem_has_a_trace_of_its_own()
    {
        var client = api.Sandbox.ClientWithKey(AcmeKey);

        var first = await (await client.GetAsync("/nothing-here")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        var second = await (await client.GetAsync("/nothing-here")).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");

        Assert.NotEqual(first.GetProperty("traceId").GetString(), second.GetProperty("traceId").GetString());
    }
}
