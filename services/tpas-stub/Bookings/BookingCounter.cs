using ProductionTests.TpasStub.Challenges;

namespace ProductionTests.TpasStub.Bookings;

/// <summary>
/// Counts every <c>POST /v1/challenges</c> that carries an Idempotency-Key, with the status it was answered,
/// before the fault filter can answer it: a call refused while the stub is down is still a call.
/// </summary>
public sealed class BookingCounter(RequestDelegate next, BookingLedger ledger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var key = http.Request.Headers[CreateChallengeEndpoint.IdempotencyKeyHeader].ToString();
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.Equals("/v1/challenges") || string.IsNullOrWhiteSpace(key))
        {
            await next(http);
            return;
        }
        try
        {
            await next(http);
        }
        finally
        {
            ledger.Called(key, http.RequestAborted.IsCancellationRequested ? "aborted" : http.Response.StatusCode.ToString());
        }
    }
}
