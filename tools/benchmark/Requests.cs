using System.Net;
using System.Text;

namespace ProductionTests.Benchmark;

/// <summary>The requests the load sends: creates (each with its own Idempotency-Key) and the baseline's insert.</summary>
public sealed class Requests(string runId)
{
    private long _next;

    /// <summary>A valid create for the demo app, with its own Idempotency-Key; providerIds omitted (every eligible one).</summary>
    public HttpRequestMessage Create(string phase)
    {
        var n = Interlocked.Increment(ref _next);
        var body = $$"""{"title":"Benchmark {{runId}} {{phase}} #{{n}}","maxStamps":3,"targetPlatform":"ios"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, DemoApi.CreatePath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = DemoApi.Authorization;
        request.Headers.Add("Idempotency-Key", $"bench-{runId}-{n}");
        return request;
    }

    /// <summary>The baseline: a body of the same shape and size, one INSERT.</summary>
    public HttpRequestMessage Baseline(string phase)
    {
        var n = Interlocked.Increment(ref _next);
        var body = $$"""{"title":"Benchmark {{runId}} {{phase}} #{{n}}","maxStamps":3,"targetPlatform":"ios"}""";
        return new HttpRequestMessage(HttpMethod.Post, "") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    /// <summary>A client for one phase: at most <paramref name="connections"/> connections, kept open.</summary>
    public static HttpClient Client(Uri api, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    })
    {
        BaseAddress = api,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>What went wrong, for the error counts: the status, or the kind of failure.</summary>
    public static string ErrorKind(Exception e) => e switch
    {
        TaskCanceledException => "timeout",
        HttpRequestException h => h.HttpRequestError.ToString(),
        _ => e.GetType().Name,
    };
}
