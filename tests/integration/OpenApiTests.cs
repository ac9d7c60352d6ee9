using System.Text.Json;
using System.Net;
using ProductionTests.IntegrationTests.Infrastructure;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiFixture api)
{
    [Fact]
    public async Task The_document_describes_the_endpoints_bodies_errors_and_bearer_scheme()
    {
        var doc = await (await api.Sandbox.CreateClient().GetAsync("/openapi/v1.json")).ShouldBeJson(HttpStatusCode.OK);

        var paths = doc.GetProperty("paths");
        var collection = paths.GetProperty("/connect/v1/apps/{client_id}/production-tests");
        var post = collection.GetProperty("post");
        Assert.Equal("CreateProductionTest", post.GetProperty("operationId").GetString());
        Assert.True(collection.TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/connect/v1/apps/{client_id}/production-tests/{id}").TryGetProperty("get", out _));

        var responses = post.GetProperty("responses");
        foreach (var status in new[] { "201", "400", "401", "403", "404", "409", "413", "415", "500", "503" })
            Assert.True(responses.TryGetProperty(status, out _), $"POST documents no {status}");
        Assert.True(responses.GetProperty("400").GetProperty("content").TryGetProperty("application/problem+json", out _));

        var keyHeader = post.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.Equal("header", keyHeader.GetProperty("in").GetString());
        Assert.Equal(255, keyHeader.GetProperty("schema").GetProperty("maxLength").GetInt32());
        Assert.True(responses.GetProperty("201").GetProperty("headers").TryGetProperty("Idempotency-Replayed", out _));
        Assert.Contains("IDEMPOTENCY_KEY_CONFLICT", responses.GetProperty("409").GetProperty("description").GetString());

        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var body = schemas.GetProperty("CreateProductionTestBody").GetProperty("properties");
        foreach (var field in new[] { "title", "description", "providerIds", "targetPlatform", "maxStamps", "allowDuplicateParticipation" })
            Assert.True(body.TryGetProperty(field, out _), $"the create body documents no {field}");
        var response = schemas.GetProperty("ChallengeRequestResponse").GetProperty("properties");
        foreach (var field in new[] { "id", "clientId", "status", "payload", "challengeId", "createdAt" })
            Assert.True(response.TryGetProperty(field, out _), $"the request documents no {field}");

        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("WorkspaceKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(doc.GetProperty("security")[0].TryGetProperty("WorkspaceKey", out _));
    }

    [Fact]
    public async Task The_create_body_schema_says_exactly_what_is_accepted()
    {
        var doc = await (await api.Sandbox.CreateClient().GetAsync("/openapi/v1.json")).ShouldBeJson(HttpStatusCode.OK);
        var body = doc.GetProperty("components").GetProperty("schemas").GetProperty("CreateProductionTestBody");

        Assert.Equal(["title"], body.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.False(body.GetProperty("additionalProperties").GetBoolean());
        var properties = body.GetProperty("properties");
        Assert.Equal(["integer", "null"], properties.GetProperty("maxStamps").GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order());
        Assert.Equal(1, properties.GetProperty("maxStamps").GetProperty("minimum").GetInt32());
        Assert.Equal([null, "android", "ios"], properties.GetProperty("targetPlatform").GetProperty("enum").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()).Order());
        Assert.Equal(200, properties.GetProperty("title").GetProperty("maxLength").GetInt32());
        Assert.True(properties.GetProperty("title").TryGetProperty("pattern", out _));
        Assert.True(properties.GetProperty("providerIds").GetProperty("uniqueItems").GetBoolean());
    }

    [Fact]
    public async Task Every_operation_has_a_short_summary_a_description_a_400_and_Retry_After_on_429_and_503()
    {
        var doc = await (await api.Sandbox.CreateClient().GetAsync("/openapi/v1.json")).ShouldBeJson(HttpStatusCode.OK);
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var name = $"{operation.Name} {path.Name}";
            var summary = operation.Value.GetProperty("summary").GetString()!;
            Assert.True(summary.Length <= 40 && !summary.EndsWith('.'), $"{name}: the summary is a title, not a sentence: '{summary}'");
            Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("description").GetString()), $"{name} has no description");
            var responses = operation.Value.GetProperty("responses");
            Assert.True(responses.TryGetProperty("400", out _), $"{name} documents no 400");
            foreach (var status in new[] { "429", "503" })
                Assert.True(responses.GetProperty(status).GetProperty("headers").GetProperty("Retry-After").GetProperty("required").GetBoolean(), $"{name} {status} has no Retry-After");
        }
    }

    [Fact]
    public async Task Timestamps_and_numbers_are_typed_as_they_are_sent()
    {
        var doc = await (await api.Sandbox.CreateClient().GetAsync("/openapi/v1.json")).ShouldBeJson(HttpStatusCode.OK);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var createdAt = schemas.GetProperty("ChallengeRequestResponse").GetProperty("properties").GetProperty("createdAt");
        Assert.Equal("string", createdAt.GetProperty("type").GetString());
        Assert.Equal("date-time", createdAt.GetProperty("format").GetString());
        // The web serializer's defaults also read numbers from strings; the document must not say so.
        Assert.Equal("integer", schemas.GetProperty("ChallengeReportStats").GetProperty("properties").GetProperty("totalClaims").GetProperty("type").GetString());
        Assert.Equal("object", schemas.GetProperty("Sponsor").GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_interactive_docs_page_is_served()
    {
        var response = await api.Sandbox.CreateClient().GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"url\":\"openapi/v1.json\"", await response.Content.ReadAsStringAsync());
    }
}
