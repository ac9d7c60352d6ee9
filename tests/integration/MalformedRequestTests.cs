using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>Whatever a caller sends, the answer is a 4xx problem+json and nothing is stored.</summary>
[Collection(ApiCollection.Name)]
public sealed class MalformedRequestTests(ApiFixture api)
{
    private readonly HttpClient _acme = api.Sandbox.ClientWithKey(AcmeKey);
    private static readonly string Url = HttpAssertions.ProductionTests(AcmeBank);

    [Theory]
    [InlineData("{\"title\":")]
    [InlineData("{title:\"x\"}")]
    [InlineData("{\"title\":\"x\",}")]
    [InlineData("{\"title\":\"x\"} {}")]
    [InlineData("{\"title\":\"x\",\"title\":\"y\"}")]
    [InlineData("nul")]
    [InlineData("{\"title\":\"\\ud800\"}")]
    public async Task Malformed_json_is_400(string json)
    {
        var count = await api.Store.CountRequests();

        await (await _acme.PostJson(Url, json)).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");

        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task Nesting_deeper_than_the_limit_is_400()
    {
        var json = "{\"title\":\"x\",\"description\":" + new string('[', 5000) + new string(']', 5000) + "}";
        await (await _acme.PostJson(Url, json)).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        var bytes = new byte[] { (byte)'{', (byte)'"', (byte)'t', (byte)'i', (byte)'t', (byte)'l', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await (await _acme.PostAsync(Url, content)).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
    }

    [Fact]
    public async Task An_empty_body_is_a_missing_parameter()
    {
        await (await _acme.PostJson(Url, "")).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_MISSING_PARAMETER");
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_is_413()
    {
        var count = await api.Store.CountRequests();
        var json = "{\"title\":\"x\",\"description\":\"" + new string('d', 1024 * 1024) + "\"}";

        var problem = await (await _acme.PostJson(Url, json)).ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "VALIDATION_PAYLOAD_TOO_LARGE");

        Assert.Equal("body", problem.GetProperty("context").GetProperty("field").GetString());
        Assert.Equal(count, await api.Store.CountRequests());
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_without_a_content_length_is_413()
    {
        var json = "{\"title\":\"x\",\"description\":\"" + new string('d', 1024 * 1024) + "\"}";
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        await (await _acme.SendAsync(request)).ShouldBeProblem(HttpStatusCode.RequestEntityTooLarge, "VALIDATION_PAYLOAD_TOO_LARGE");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData(null)]
    public async Task A_body_that_is_not_json_is_415(string? contentType)
    {
        var content = new ByteArrayContent("{\"title\":\"x\"}"u8.ToArray());
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var problem = await (await _acme.PostAsync(Url, content)).ShouldBeProblem(HttpStatusCode.UnsupportedMediaType, "VALIDATION_UNSUPPORTED_MEDIA_TYPE");

        Assert.Equal("Content-Type", problem.GetProperty("context").GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_media_types_are_accepted(string contentType)
    {
        var content = new ByteArrayContent("{\"title\":\"media\"}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        Assert.Equal(HttpStatusCode.Created, (await _acme.PostAsync(Url, content)).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/nothing-here")]
    [InlineData("GET", "/connect/v1/apps")]
    [InlineData("GET", "/connect/v2/apps/FK5b0KSM/production-tests")]
    [InlineData("POST", "/connect/v1/apps/FK5b0KSM/production-tests/req_x/extra")]
    public async Task Unknown_routes_are_404_problems(string method, string path)
    {
        await (await _acme.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
    }

    [Theory]
    [InlineData("/connect/v1/apps/%01/production-tests")]
    [InlineData("/connect/v1/apps/FK5b0KSM/production-tests/req_%01")]
    [InlineData("/connect/v1/apps/FK5b0KSM/production-tests/req_%1F/events")]
    [InlineData("/connect/v1/apps/FK5b0KSM/production-tests/chl_%01/report")]
    public async Task An_address_with_a_control_character_is_not_found_not_a_500(string path)
    {
        await (await _acme.GetAsync(path)).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task A_method_the_route_does_not_have_is_405_with_allow()
    {
        var response = await _acme.DeleteAsync(Url);

        await response.ShouldBeProblem(HttpStatusCode.MethodNotAllowed, "RESOURCE_METHOD_NOT_ALLOWED");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
