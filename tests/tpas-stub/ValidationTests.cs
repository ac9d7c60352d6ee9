using System.Net;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

public sealed class ValidationTests : IDisposable
{
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public ValidationTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "empty title", """{"title":"","providerIds":["bankidse"],"maxStampClaims":3,"hostName":"Acme Bank"}""" },
        { "blank title", """{"title":"  ","providerIds":["bankidse"],"maxStampClaims":3,"hostName":"Acme Bank"}""" },
        { "no title", """{"providerIds":["bankidse"],"maxStampClaims":3,"hostName":"Acme Bank"}""" },
        { "no providers", """{"title":"T","maxStampClaims":3,"hostName":"Acme Bank"}""" },
        { "empty providers", """{"title":"T","providerIds":[],"maxStampClaims":3,"hostName":"Acme Bank"}""" },
        { "empty provider id", """{"title":"T","providerIds":[""],"maxStampClaims":3,"hostName":"Acme Bank"}""" },
        { "zero stamps", """{"title":"T","providerIds":["bankidse"],"maxStampClaims":0,"hostName":"Acme Bank"}""" },
        { "no stamps", """{"title":"T","providerIds":["bankidse"],"hostName":"Acme Bank"}""" },
        { "stamps as text", """{"title":"T","providerIds":["bankidse"],"maxStampClaims":"3","hostName":"Acme Bank"}""" },
        { "unknown platform", """{"title":"T","providerIds":["bankidse"],"maxStampClaims":3,"targetPlatform":"web","hostName":"Acme Bank"}""" },
        { "no host", """{"title":"T","providerIds":["bankidse"],"maxStampClaims":3}""" },
        { "malformed JSON", """{"title":"T",""" },
        { "empty body", "" },
        { "array body", "[]" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_body_is_400_and_creates_nothing(string because, string json)
    {
        var requestId = StubHttp.NewRequestId();

        await (await _client.CreateChallengeRaw(requestId, json)).ShouldBeProblem(HttpStatusCode.BadRequest, "INVALID_CHALLENGE");

        Assert.True(await _client.CountChallenges(requestId) == 0, $"A body with {because} created a challenge.");
    }
}
