using System.Net;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

/// <summary>
/// The booking ledger: the stub answers a repeated key with its one challenge, so counting challenges alone
/// cannot see a client that books twice. Every call is counted per key, with its answer.
/// </summary>
public sealed class BookingTests : IDisposable
{
    private readonly StubFactory _stub = new();
    private readonly HttpClient _client;

    public BookingTests() => _client = _stub.CreateClient();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task A_repeated_key_is_counted_as_a_second_call_for_the_one_challenge()
    {
        var requestId = StubHttp.NewRequestId();
        var created = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
        await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.OK);

        var booking = await _client.Bookings(requestId);

        Assert.Equal(2, booking.GetProperty("calls").GetInt32());
        Assert.Equal(1, booking.GetProperty("challenges").GetInt32());
        Assert.Equal(created.GetProperty("id").GetString(), Assert.Single(booking.GetProperty("challengeIds").EnumerateArray()).GetString());
        Assert.Equal(1, booking.GetProperty("answers").GetProperty("201").GetInt32());
        Assert.Equal(1, booking.GetProperty("answers").GetProperty("200").GetInt32());
    }

    [Fact]
    public async Task Calls_answered_503_while_down_are_counted_and_create_nothing()
    {
        var requestId = StubHttp.NewRequestId();
        await _client.PutFaults(new { down = true });
        await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId));
        await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId));

        var booking = await _client.Bookings(requestId);

        Assert.Equal(2, booking.GetProperty("calls").GetInt32());
        Assert.Equal(0, booking.GetProperty("challenges").GetInt32());
        Assert.Equal(2, booking.GetProperty("answers").GetProperty("503").GetInt32());
    }

    [Fact]
    public async Task A_key_never_called_reads_zero_calls_and_the_list_has_every_called_key()
    {
        var called = StubHttp.NewRequestId();
        await _client.CreateChallenge(called, StubHttp.ValidBody(called));
        var never = StubHttp.NewRequestId();

        var none = await _client.Bookings(never);
        var all = await (await _client.GetAsync("/admin/bookings")).ShouldBeJson(HttpStatusCode.OK);

        Assert.Equal(0, none.GetProperty("calls").GetInt32());
        Assert.Equal(0, none.GetProperty("challenges").GetInt32());
        Assert.Equal([called], all.EnumerateArray().Select(b => b.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task A_lost_answer_creates_the_challenge_answers_503_and_the_retry_gets_that_challenge()
    {
        var requestId = StubHttp.NewRequestId();
        await _client.PutFaults(new { lostAnswerRate = 1.0 });

        await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeProblem(HttpStatusCode.ServiceUnavailable, "BACKEND_UNAVAILABLE");
        var retried = await (await _client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.OK);

        var booking = await _client.Bookings(requestId);
        Assert.Equal(1, booking.GetProperty("challenges").GetInt32());
        Assert.Equal(2, booking.GetProperty("calls").GetInt32());
        Assert.Equal(1, booking.GetProperty("lostAnswers").GetInt32());
        Assert.Equal(retried.GetProperty("id").GetString(), Assert.Single(booking.GetProperty("challengeIds").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task The_ledger_answers_while_the_stub_is_down()
    {
        await _client.PutFaults(new { down = true });

        await (await _client.GetAsync("/admin/bookings")).ShouldBeJson(HttpStatusCode.OK);
    }
}
