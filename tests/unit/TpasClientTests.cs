using System.Net;
using System.Text;
using System.Text.Json;
using ProductionTests.Contracts;
using ProductionTests.Scheduler.Tpas;

namespace ProductionTests.UnitTests;

public class TpasClientTests
{
    private const string ChallengeJson = """
        {"id":"chl_1","requestId":"req_x","title":"T","description":null,"expiresAt":"2026-12-26T07:22:59.356Z","createdAt":"2026-11-26T07:22:59.356Z","completedAt":null,"isActive":true,"challengeMode":"first_come","sponsor":"Acme Bank","sources":["bankidse"],"maxStampClaims":3,"targetPlatform":null,"allowDuplicateParticipation":false}
        """;

    private static readonly Uri BaseAddress = new("http://tpas.test/api/");

    private static ChallengeRequested Request(string requestId = "req_x") => new(
        requestId,
        "client_1",
        "ws_1",
        new ChallengePayload("T", "Some description", ["bankidse", "freja"], 3, "ios", true, "Acme Bank"),
        new DateTimeOffset(2026, 11, 26, 7, 22, 59, TimeSpan.Zero));

    /// <summary>Answers every request through the given function, recording what was sent.</summary>
    private sealed class FakeHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }
        public string? Body { get; private set; }

        public FakeHandler(HttpStatusCode status, string? body = null, string mediaType = "application/json")
            : this((_, _) => Task.FromResult(new HttpResponseMessage(status)
            {
                Content = body is null ? null : new StringContent(body, Encoding.UTF8, mediaType),
            }))
        {
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return await respond(request, cancellationToken);
        }
    }

    private static TpasClient Client(HttpMessageHandler handler, TimeSpan? timeout = null)
    {
        var http = new HttpClient(handler) { BaseAddress = BaseAddress };
        if (timeout is { } t)
            http.Timeout = t;
        return new TpasClient(http);
    }

    [Theory]
    [InlineData(HttpStatusCode.Created)]
    [InlineData(HttpStatusCode.OK)]
    public async Task A_success_answer_is_created_with_every_snapshot_field(HttpStatusCode status)
    {
        var handler = new FakeHandler(status, ChallengeJson);

        var answer = await Client(handler).CreateChallengeAsync(Request(), CancellationToken.None);

        var created = Assert.IsType<TpasClient.Created>(answer);
        var c = created.Challenge;
        Assert.Equal("chl_1", c.Id);
        Assert.Equal("T", c.Title);
        Assert.Null(c.Description);
        Assert.Equal(new DateTimeOffset(2026, 12, 26, 7, 22, 59, 356, TimeSpan.Zero), c.ExpiresAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 22, 59, 356, TimeSpan.Zero), c.CreatedAt);
        Assert.Null(c.CompletedAt);
        Assert.True(c.IsActive);
        Assert.Equal("first_come", c.ChallengeMode);
        Assert.Equal("Acme Bank", c.Sponsor);
        Assert.Equal(["bankidse"], c.Sources);
    }

    [Fact]
    public async Task Maps_a_description_and_completion_when_present()
    {
        var json = ChallengeJson
            .Replace("\"description\":null", "\"description\":\"D\"")
            .Replace("\"completedAt\":null", "\"completedAt\":\"2026-11-27T08:00:00.000Z\"")
            .Replace("\"isActive\":true", "\"isActive\":false")
            .Replace("[\"bankidse\"]", "[\"bankidse\",\"freja\"]");
        var handler = new FakeHandler(HttpStatusCode.Created, json);

        var answer = await Client(handler).CreateChallengeAsync(Request(), CancellationToken.None);

        var c = Assert.IsType<TpasClient.Created>(answer).Challenge;
        Assert.Equal("D", c.Description);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), c.CompletedAt);
        Assert.False(c.IsActive);
        Assert.Equal(["bankidse", "freja"], c.Sources);
    }

    [Fact]
    public async Task Posts_to_v1_challenges_with_the_request_id_as_idempotency_key()
    {
        var handler = new FakeHandler(HttpStatusCode.Created, ChallengeJson);

        await Client(handler).CreateChallengeAsync(Request("req_abc"), CancellationToken.None);

        var sent = Assert.IsType<HttpRequestMessage>(handler.Request);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(new Uri("http://tpas.test/api/v1/challenges"), sent.RequestUri);
        Assert.Equal(["req_abc"], sent.Headers.GetValues("Idempotency-Key"));
        Assert.Equal("application/json", sent.Content?.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sends_the_payload_as_json()
    {
        var handler = new FakeHandler(HttpStatusCode.Created, ChallengeJson);

        await Client(handler).CreateChallengeAsync(Request("req_abc"), CancellationToken.None);

        using var doc = JsonDocument.Parse(Assert.IsType<string>(handler.Body));
        var body = doc.RootElement;
        Assert.Equal("req_abc", body.GetProperty("requestId").GetString());
        Assert.Equal("T", body.GetProperty("title").GetString());
        Assert.Equal("Some description", body.GetProperty("description").GetString());
        Assert.Equal("bankidse,freja", string.Join(",", body.GetProperty("providerIds").EnumerateArray().Select(e => e.GetString())));
        Assert.Equal(3, body.GetProperty("maxStampClaims").GetInt32());
        Assert.Equal("ios", body.GetProperty("targetPlatform").GetString());
        Assert.True(body.GetProperty("allowDuplicateParticipation").GetBoolean());
        Assert.Equal("Acme Bank", body.GetProperty("hostName").GetString());
        Assert.Equal(8, body.EnumerateObject().Count());
    }

    [Fact]
    public async Task Sends_null_description_and_platform_as_null()
    {
        var handler = new FakeHandler(HttpStatusCode.Created, ChallengeJson);
        var request = Request() with
        {
            Payload = new ChallengePayload("T2", null, ["freja"], 1, null, false, "Host"),
        };

        await Client(handler).CreateChallengeAsync(request, CancellationToken.None);

        using var doc = JsonDocument.Parse(Assert.IsType<string>(handler.Body));
        var body = doc.RootElement;
        Assert.Equal(JsonValueKind.Null, body.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("targetPlatform").ValueKind);
        Assert.False(body.GetProperty("allowDuplicateParticipation").GetBoolean());
        Assert.Equal(1, body.GetProperty("maxStampClaims").GetInt32());
        Assert.Equal("Host", body.GetProperty("hostName").GetString());
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task A_problem_answer_is_refused_with_its_title_and_detail(HttpStatusCode status)
    {
        var handler = new FakeHandler(status, """{"title":"CHALLENGE_REFUSED","detail":"why"}""", "application/problem+json");

        var answer = await Client(handler).CreateChallengeAsync(Request(), CancellationToken.None);

        Assert.Equal(new TpasClient.Refused("CHALLENGE_REFUSED", "why"), answer);
    }

    [Fact]
    public async Task A_problem_with_another_title_keeps_that_code()
    {
        var handler = new FakeHandler(HttpStatusCode.UnprocessableEntity, """{"title":"TOO_MANY_STAMPS","detail":"at most 100"}""", "application/problem+json");

        var answer = await Client(handler).CreateChallengeAsync(Request(), CancellationToken.None);

        Assert.Equal(new TpasClient.Refused("TOO_MANY_STAMPS", "at most 100"), answer);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity, null, "application/json")]
    [InlineData(HttpStatusCode.BadRequest, "", "application/json")]
    [InlineData(HttpStatusCode.BadRequest, "not json at all", "text/plain")]
    [InlineData(HttpStatusCode.Conflict, "<html>nope</html>", "text/html")]
    [InlineData(HttpStatusCode.NotFound, "[1,2]", "application/json")]
    public async Task A_refusal_without_a_readable_body_is_challenge_refused(HttpStatusCode status, string? body, string mediaType)
    {
        var handler = new FakeHandler(status, body, mediaType);

        var answer = await Client(handler).CreateChallengeAsync(Request(), CancellationToken.None);

        var refused = Assert.IsType<TpasClient.Refused>(answer);
        Assert.Equal("CHALLENGE_REFUSED", refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Reason));
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Reason);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Server_errors_timeouts_and_throttling_are_unavailable(HttpStatusCode status)
    {
        var handler = new FakeHandler(status, """{"title":"CHALLENGE_REFUSED","detail":"why"}""", "application/problem+json");

        var e = await Assert.ThrowsAsync<TpasUnavailableException>(
            () => Client(handler).CreateChallengeAsync(Request(), CancellationToken.None));
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public async Task A_connection_failure_is_unavailable()
    {
        var failure = new HttpRequestException("Connection refused");
        var handler = new FakeHandler((_, _) => Task.FromException<HttpResponseMessage>(failure));

        var e = await Assert.ThrowsAsync<TpasUnavailableException>(
            () => Client(handler).CreateChallengeAsync(Request(), CancellationToken.None));
        Assert.Same(failure, e.InnerException);
    }

    [Fact]
    public async Task An_http_client_timeout_is_unavailable()
    {
        var handler = new FakeHandler(async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return new HttpResponseMessage(HttpStatusCode.Created);
        });

        var e = await Assert.ThrowsAsync<TpasUnavailableException>(
            () => Client(handler, TimeSpan.FromMilliseconds(200)).CreateChallengeAsync(Request(), CancellationToken.None));
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_propagates()
    {
        using var cts = new CancellationTokenSource();
        var handler = new FakeHandler(async (_, ct) =>
        {
            await cts.CancelAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return new HttpResponseMessage(HttpStatusCode.Created);
        });

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Client(handler, TimeSpan.FromSeconds(30)).CreateChallengeAsync(Request(), cts.Token));
        Assert.IsNotType<TpasUnavailableException>(e);
    }

    [Fact]
    public async Task An_already_cancelled_token_propagates()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var handler = new FakeHandler(HttpStatusCode.Created, ChallengeJson);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Client(handler).CreateChallengeAsync(Request(), cts.Token));
    }
}
