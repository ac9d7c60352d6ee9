using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// The per-key limit on an instance of its own with a tiny limit (3 at once, 1 a second) on the shared
/// platform's database and broker. Every other test instance (ApiFactory) has a limit far above what
/// tests send: the defaults (50 a second, bursts of 100) would hold the 64 concurrent POSTs of
/// IdempotencyTests and the 50 waiters per key and instance of WaitForOutcomeTests, but not
/// OperationsTests' readers, which GET in a loop for as long as two ops commands run.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RateLimitTests(ApiFixture api) : IAsyncLifetime
{
    private const int Burst = 3;
    private static readonly string List = HttpAssertions.ProductionTests(AcmeBank);
    private const string UnknownKey = "sk_workspace_test_unknownKey00000000000001";
    private readonly LogCapture _log = new();
    private ConfiguredApi _limited = null!;

    public Task InitializeAsync()
    {
        _limited = new ConfiguredApi(api.Platform, new() { ["RateLimit:PermitsPerSecond"] = "1", ["RateLimit:Burst"] = $"{Burst}" }, _log);
        _ = _limited.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _limited.DisposeAsync();

    [Fact]
    public async Task A_burst_over_the_limit_is_429_with_Retry_After_and_other_callers_are_not_affected()
    {
        var acme = _limited.ClientWithKey(AcmeKey);

        var (granted, refused) = await ExhaustAsync(acme, List);

        Assert.True(granted >= Burst, $"only {granted} requests before the first 429");
        await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "AUTH_RATE_LIMITED");
        var retryAfter = RetryAfterSeconds(refused);
        Assert.InRange(retryAfter, 1, 5);

        // Another key, and a caller without one (limited by address), each have buckets of their own.
        Assert.Equal(HttpStatusCode.OK, (await _limited.ClientWithKey(GlobexKey).GetAsync(HttpAssertions.ProductionTests(GlobexPay))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _limited.ClientWithKey(TestsKey).GetAsync(HttpAssertions.ProductionTests(ListApp))).StatusCode);
        await (await _limited.CreateClient().GetAsync(List)).ShouldBeProblem(HttpStatusCode.Unauthorized, "AUTH_INVALID_CREDENTIALS");
        // The same key is refused on every route, POST included, and nothing is stored.
        var count = await api.Store.CountRequests();
        await ExhaustAsync(acme, List);
        await (await acme.CreateProductionTest(AcmeBank, new { title = "Too many" })).ShouldBeProblem(HttpStatusCode.TooManyRequests, "AUTH_RATE_LIMITED");
        Assert.Equal(count, await api.Store.CountRequests());

        // Waiting as told (plus the limiter's 0.1 s refill tick) is enough.
        await Task.Delay(TimeSpan.FromSeconds(retryAfter) + TimeSpan.FromMilliseconds(250));
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync(List)).StatusCode);
    }

    [Fact]
    public async Task A_429_names_the_callers_trace()
    {
        var acme = _limited.ClientWithKey(AcmeKey);
        await ExhaustAsync(acme, List);
        var (traceParent, traceId) = HttpAssertions.NewTrace();
        var request = new HttpRequestMessage(HttpMethod.Get, List);
        request.Headers.Add("traceparent", traceParent);

        var problem = await (await acme.SendAsync(request)).ShouldBeProblem(HttpStatusCode.TooManyRequests, "AUTH_RATE_LIMITED");

        Assert.Equal(traceId, problem.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task The_limit_applies_before_the_key_is_looked_up()
    {
        // An unknown but well-formed key is a bucket of its own: refused with 401 while it has tokens,
        // then 429 without a database look-up.
        var (granted, refused) = await ExhaustAsync(_limited.ClientWithKey(UnknownKey), List, HttpStatusCode.Unauthorized);

        Assert.True(granted >= Burst);
        await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "AUTH_RATE_LIMITED");
        Assert.Equal(HttpStatusCode.OK, (await _limited.ClientWithKey(AcmeKey).GetAsync(List)).StatusCode);
    }

    [Fact]
    public async Task Callers_without_a_well_formed_key_share_their_address_bucket()
    {
        var anonymous = _limited.CreateClient();
        var (granted, refused) = await ExhaustAsync(anonymous, List, HttpStatusCode.Unauthorized);
        Assert.True(granted >= Burst);
        await refused.ShouldBeProblem(HttpStatusCode.TooManyRequests, "AUTH_RATE_LIMITED");

        // A malformed key is not a way to a fresh bucket: it draws from the same address.
        var malformed = _limited.CreateClient();
        malformed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"garbage-{Guid.NewGuid():N}");
        await (await malformed.GetAsync(List)).ShouldBeProblem(HttpStatusCode.TooManyRequests, "AUTH_RATE_LIMITED");
    }

    [Fact]
    public async Task Health_OpenAPI_and_docs_are_never_limited()
    {
        var acme = _limited.ClientWithKey(AcmeKey);
        var anonymous = _limited.CreateClient();
        await ExhaustAsync(acme, List);
        await ExhaustAsync(anonymous, List, HttpStatusCode.Unauthorized);

        foreach (var path in new[] { "/health/live", "/health/ready", "/openapi/v1.json", "/docs" })
        {
            for (var i = 0; i < 4 * Burst; i++)
            {
                foreach (var client in new[] { acme, anonymous })
                {
                    var status = (await client.GetAsync(path)).StatusCode;
                    // Readiness may say 503 while this new instance's bus connects; never 429.
                    if (path == "/health/ready") Assert.NotEqual(HttpStatusCode.TooManyRequests, status);
                    else Assert.Equal(HttpStatusCode.OK, status);
                }
            }
        }
    }

    [Fact]
    public async Task Disabled_lets_everything_through()
    {
        await using var unlimited = new ConfiguredApi(api.Platform, new()
        {
            ["RateLimit:Enabled"] = "false", ["RateLimit:PermitsPerSecond"] = "1", ["RateLimit:Burst"] = "1",
        });
        var acme = unlimited.ClientWithKey(AcmeKey);

        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync(List)).StatusCode);
    }

    [Fact]
    public void A_limit_below_one_stops_the_instance_from_starting()
    {
        using var broken = new ConfiguredApi(api.Platform, new() { ["RateLimit:Burst"] = "0" });

        var error = Assert.ThrowsAny<Exception>(() => broken.Server);
        Assert.Contains("RateLimit:Burst", error.ToString());
    }

    /// <summary>Sends until the first 429 (at most 50 requests); every earlier answer has the expected status.</summary>
    private static async Task<(int Granted, HttpResponseMessage Refused)> ExhaustAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        for (var granted = 0; granted < 50; granted++)
        {
            var response = await client.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) return (granted, response);
            Assert.Equal(expected, response.StatusCode);
        }
        throw new Xunit.Sdk.XunitException("50 requests and no 429.");
    }

    private static int RetryAfterSeconds(HttpResponseMessage response)
    {
        var delta = response.Headers.RetryAfter?.Delta;
        Assert.True(delta is not null, "no Retry-After in seconds");
        return (int)delta.Value.TotalSeconds;
    }

    [Fact]
    public async Task No_log_line_of_a_limited_instance_holds_a_key()
    {
        await ExhaustAsync(_limited.ClientWithKey(AcmeKey), List);
        await ExhaustAsync(_limited.ClientWithKey(UnknownKey), List, HttpStatusCode.Unauthorized);

        _log.AssertNeverContains(AcmeKey, UnknownKey);
    }
}

/// <summary>
/// A sandbox requests-api (relay off) on a test platform's database and broker with settings of the
/// test's own, and optionally a log provider that keeps every line. Not tracked by the platform:
/// the test disposes it.
/// </summary>
public sealed class ConfiguredApi(TestPlatform platform, Dictionary<string, string> settings, LogCapture? log = null)
    : ApiFactory(platform.ConnectionString, "sandbox", platform.Broker.ConnectionString, relay: false, tpas: platform.StubAddress)
{
    private readonly string _connectionString = platform.ConnectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // TestPostgres's connection string carries Pooling=false (from its admin connection), which
        // makes every query open a new PostgreSQL connection (~0.1 s each on a 2-core machine):
        // these instances pool.
        builder.UseSetting("ConnectionStrings:Postgres", new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = true }.ConnectionString);
        foreach (var (name, value) in settings) builder.UseSetting(name, value);
        if (log is not null)
            builder.ConfigureLogging(logging => logging.AddProvider(log).AddFilter<LogCapture>(null, LogLevel.Trace));
    }
}

/// <summary>
/// Keeps every log line at every level (message, exception, structured values and scopes), to show
/// what never appears in a log.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IEnumerable<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    /// <summary>Fails with the offending line when any line holds any of the texts.</summary>
    public void AssertNeverContains(params string[] secrets)
    {
        Assert.True(_lines.Count > 0, "nothing was logged: the capture does not work");
        foreach (var line in _lines)
            foreach (var secret in secrets)
                Assert.False(line.Contains(secret, StringComparison.OrdinalIgnoreCase), $"a log line holds '{secret}': {line}");
    }

    /// <summary>Fails with the offending line when any line matches.</summary>
    public void AssertNeverMatches(System.Text.RegularExpressions.Regex pattern)
    {
        Assert.True(_lines.Count > 0, "nothing was logged: the capture does not work");
        foreach (var line in _lines) Assert.False(pattern.IsMatch(line), $"a log line matches {pattern}: {line}");
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder($"{logLevel} {category}[{eventId}] {formatter(state, exception)}");
            if (exception is not null) line.Append(' ').Append(exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (name, value) in values) line.Append(" |").Append(name).Append('=').Append(value);
            capture._scopes.ForEachScope((scope, text) =>
            {
                text.Append(" |scope=").Append(scope);
                if (scope is IEnumerable<KeyValuePair<string, object?>> scopeValues)
                    foreach (var (name, value) in scopeValues) text.Append(" |").Append(name).Append('=').Append(value);
            }, line);
            capture._lines.Enqueue(line.ToString());
        }
    }
}
