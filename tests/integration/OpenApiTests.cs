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
    public async Task The_interactive_docs_page_is_served()
    {
        var response = await api.Sandbox.CreateClient().GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"url\":\"openapi/v1.json\"", await response.Content.ReadAsStringAsync());
    }
}
