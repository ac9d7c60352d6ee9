using System.Text;
using System.Text.Json;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// Requests only a raw socket can send (control bytes, bytes above 0x7F, malformed lines), to requests-api
/// on a real Kestrel port. What Kestrel lets through reaches the app, which answers problem+json with
/// every contract field. What Kestrel's parser refuses never reaches the app: Kestrel answers a bare
/// status itself (aspnetcore's HttpProtocol.SetErrorResponseHeaders: headers reset, Content-Length: 0,
/// connection closed), and no supported hook shapes that answer; those tests pin it down exactly.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RawRequestTests(ApiFixture api)
{
    private const string List = "/connect/v1/apps/FK5b0KSM/production-tests";
    private static readonly string Key = $"Authorization: Bearer {AcmeKey}\r\n";

    /// <summary>Reach the app: name, request head (Latin-1, so "\u00FF" is the byte 0xFF; the test adds Host, traceparent and Connection), body, status, code.</summary>
    private static readonly Dictionary<string, (string Head, string Body, int Status, string Code)> Reaching = new()
    {
        ["raw 0x01 in the path"] = ($"GET /connect/v1/apps/\u0001/production-tests HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        ["raw 0x1F in the request id"] = ($"GET {List}/req_\u001F HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        ["raw 0x7F in the path"] = ($"GET /connect/v1/apps/\u007F/production-tests HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        ["%01 in the path"] = ($"GET /connect/v1/apps/%01/production-tests HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        ["%FF in the path"] = ($"GET /connect/v1/apps/%FF/production-tests HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        // Kestrel checks the decoded path for NUL only in origin form (see Refused: "%00 in the path").
        ["%00 in an absolute-form target"] = ($"GET http://localhost/connect/v1/apps/%00/production-tests HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        ["%00 in the query"] = ($"GET /nothing?q=%00 HTTP/1.1\r\n{Key}", "", 404, "RESOURCE_NOT_FOUND"),
        ["0x01 in the Authorization header"] = ("GET " + List + " HTTP/1.1\r\nAuthorization: Bearer sk_workspace_test_\u0001\r\n", "", 401, "AUTH_INVALID_CREDENTIALS"),
        ["0xFF in the Authorization header"] = ("GET " + List + " HTTP/1.1\r\nAuthorization: Bearer sk_workspace_test_\u00FF\r\n", "", 401, "AUTH_INVALID_CREDENTIALS"),
        ["0xE9 in the Idempotency-Key header"] = ($"POST {List} HTTP/1.1\r\n{Key}Idempotency-Key: caf\u00E9\r\nContent-Type: application/json\r\nContent-Length: 13\r\n", "{\"title\":\"x\"}", 400, "VALIDATION_INVALID_PARAMETER"),
        ["0xFF in the Content-Type header"] = ($"POST {List} HTTP/1.1\r\n{Key}Content-Type: application/\u00FFjson\r\nContent-Length: 13\r\n", "{\"title\":\"x\"}", 415, "VALIDATION_UNSUPPORTED_MEDIA_TYPE"),
        ["a malformed chunk in the body"] = ($"POST {List} HTTP/1.1\r\n{Key}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", "zz\r\n\r\n", 400, "VALIDATION_INVALID_PARAMETER"),
        ["a method the route does not have"] = ($"PATCH {List} HTTP/1.1\r\n{Key}Content-Length: 0\r\n", "", 405, "RESOURCE_METHOD_NOT_ALLOWED"),
    };

    /// <summary>Refused by Kestrel before the app: name, whole request (Latin-1), status.</summary>
    private static readonly Dictionary<string, (string Request, int Status)> Refused = new()
    {
        ["%00 in the path"] = ($"GET /connect/v1/apps/%00/production-tests HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 400),
        ["raw 0x00 in the path"] = ($"GET /connect/v1/apps/\u0000/production-tests HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 400),
        ["raw 0xFF in the path"] = ($"GET /connect/v1/apps/\u00FF/production-tests HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 400),
        ["a space in the path"] = ($"GET /connect/v1/apps/a b/production-tests HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 400),
        ["0x00 in a header value"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\n{Key}X-Note: a\u0000b\r\n\r\n", 400),
        ["a bare LF in a header value"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\n{Key}X-Note: a\nb\r\n\r\n", 400),
        ["a bare CR in a header value"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\n{Key}X-Note: a\rb\r\n\r\n", 400),
        ["a space in a header name"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\n{Key}X Note: b\r\n\r\n", 400),
        ["a header line without a colon"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\n{Key}XNote\r\n\r\n", 400),
        ["no Host header"] = ($"GET {List} HTTP/1.1\r\n{Key}\r\n", 400),
        ["two Host headers"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\nHost: y\r\n{Key}\r\n", 400),
        ["0x01 in the Host header"] = ($"GET {List} HTTP/1.1\r\nHost: x\u0001\r\n{Key}\r\n", 400),
        ["a malformed method"] = ($"G(T {List} HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 400),
        ["a line that is not HTTP"] = ("hello\r\n\r\n", 400),
        ["a malformed Content-Length"] = ($"POST {List} HTTP/1.1\r\nHost: x\r\n{Key}Content-Length: abc\r\n\r\n", 400),
        ["an unknown HTTP version"] = ($"GET {List} HTTP/1.7\r\nHost: x\r\n{Key}\r\n", 505),
        ["the asterisk target with GET"] = ($"GET * HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 405),
        ["a request target over 8 KiB"] = ($"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: x\r\n{Key}\r\n", 414),
        ["headers over 32 KiB"] = ($"GET {List} HTTP/1.1\r\nHost: x\r\n{Key}X-Note: {new string('a', 40_000)}\r\n\r\n", 431),
    };

    public static TheoryData<string> ReachingCases => [.. Reaching.Keys];
    public static TheoryData<string> RefusedCases => [.. Refused.Keys];

    [Theory]
    [MemberData(nameof(ReachingCases))]
    public async Task A_request_that_reaches_the_app_gets_a_problem_with_every_contract_field(string name)
    {
        var (head, body, status, code) = Reaching[name];
        var (traceParent, traceId) = HttpAssertions.NewTrace();
        var kestrel = api.Kestrel;
        var started = kestrel.RequestsStarted;

        var response = await kestrel.SendAsync(Encoding.Latin1.GetBytes($"{head}Host: localhost\r\ntraceparent: {traceParent}\r\nConnection: close\r\n\r\n{body}"));

        Assert.True(status == response.Status, $"expected {status}: {response.Text}");
        Assert.Equal(started + 1, kestrel.RequestsStarted);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        var problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(code, problem.GetProperty("title").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:production-tests:error:", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.StartsWith("/", problem.GetProperty("instance").GetString());
        Assert.True(DateTimeOffset.TryParse(problem.GetProperty("timestamp").GetString(), out _));
        Assert.Equal(traceId, problem.GetProperty("traceId").GetString());
    }

    [Theory]
    [MemberData(nameof(RefusedCases))]
    public async Task A_request_Kestrel_refuses_before_the_app_gets_a_bare_status_no_supported_hook_can_shape(string name)
    {
        var (request, status) = Refused[name];
        var kestrel = api.Kestrel;
        var started = kestrel.RequestsStarted;
        var badRequests = kestrel.Log.Lines.Count(IsBadRequestLine);

        var response = await kestrel.SendAsync(Encoding.Latin1.GetBytes(request));

        // Exactly Kestrel's answer: the status, Content-Length: 0, no Content-Type, no body, connection closed.
        Assert.True(status == response.Status, $"expected {status}: {response.Text}");
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Null(response.Header("Content-Type"));
        Assert.Equal("", response.Body);
        Assert.Equal("close", response.Header("Connection"));
        // ...and the app never saw it: no request started; Kestrel logged the refusal (Debug) instead.
        Assert.Equal(started, kestrel.RequestsStarted);
        Assert.Equal(badRequests + 1, kestrel.Log.Lines.Count(IsBadRequestLine));
    }

    [Fact]
    public async Task A_header_the_app_does_not_read_may_hold_any_byte_RFC_9110_allows()
    {
        var response = await api.Kestrel.SendAsync(Encoding.Latin1.GetBytes($"GET {List} HTTP/1.1\r\nHost: localhost\r\n{Key}X-Note: caf\u00E9 \u00FF\r\nConnection: close\r\n\r\n"));

        Assert.True(response.Status == 200, response.Text);
    }

    private static bool IsBadRequestLine(string line) => line.Contains("Microsoft.AspNetCore.Server.Kestrel.BadRequests", StringComparison.Ordinal);
}
