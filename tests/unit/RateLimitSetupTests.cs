using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

public class RateLimitSetupTests
{
    private const string Key = "sk_workspace_test_abcdefghijklmnop";
    private static readonly IPAddress Caller = IPAddress.Parse("203.0.113.7");

    [Fact]
    public void A_well_formed_bearer_key_is_its_own_partition_named_by_its_hash()
    {
        var partition = RateLimitSetup.PartitionKey("/connect/v1/apps/FK5b0KSM/production-tests", "Bearer " + Key, Caller);

        Assert.Equal("key:" + WorkspaceKeys.Hash(Key), partition);
        Assert.DoesNotContain(Key, partition);
    }

    [Theory]
    [InlineData("bearer " + Key)]
    [InlineData("BEARER " + Key)]
    [InlineData("Bearer   " + Key + "  ")]
    public void The_key_is_read_as_authentication_reads_it(string authorization) =>
        Assert.Equal("key:" + WorkspaceKeys.Hash(Key), RateLimitSetup.PartitionKey("/x", authorization, Caller));

    [Fact]
    public void Two_keys_are_two_partitions() =>
        Assert.NotEqual(
            RateLimitSetup.PartitionKey("/x", "Bearer " + Key, Caller),
            RateLimitSetup.PartitionKey("/x", "Bearer sk_workspace_test_abcdefghijklmnoq", Caller));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer sk_workspace_dev_abcdefghijklmnop")]
    [InlineData("Bearer sk_workspace_test_abcdefghijklmnöp")]
    [InlineData("Bearer\t" + Key)]
    [InlineData("Bearer \ud800")]
    public void Without_a_well_formed_key_the_remote_address_is_the_partition(string? authorization) =>
        Assert.Equal("ip:203.0.113.7", RateLimitSetup.PartitionKey("/connect/v1/apps/FK5b0KSM/production-tests", authorization, Caller));

    [Fact]
    public void Without_a_key_or_an_address_every_such_request_shares_one_partition() =>
        Assert.Equal("ip:unknown", RateLimitSetup.PartitionKey("/x", null, null));

    [Fact]
    public void An_IPv6_address_is_a_partition_of_its_own() =>
        Assert.Equal("ip:2001:db8::1", RateLimitSetup.PartitionKey("/x", null, IPAddress.Parse("2001:db8::1")));

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/health")]
    [InlineData("/HEALTH/live")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/docs")]
    [InlineData("/docs/")]
    [InlineData("/docs/scalar.js")]
    public void Health_OpenAPI_and_docs_are_never_limited(string path)
    {
        Assert.Null(RateLimitSetup.PartitionKey(path, null, Caller));
        Assert.Null(RateLimitSetup.PartitionKey(path, "Bearer " + Key, Caller));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/documents")]
    [InlineData("/connect/v1/apps/health/production-tests")]
    [InlineData("/")]
    [InlineData("")]
    public void Paths_that_only_look_alike_are_limited(string path) =>
        Assert.NotNull(RateLimitSetup.PartitionKey(path, null, Caller));

    [Fact]
    public void The_defaults_are_50_per_second_with_bursts_of_100()
    {
        var options = new RateLimitOptions();

        Assert.True(options.Enabled);
        Assert.Equal(50, options.PermitsPerSecond);
        Assert.Equal(100, options.Burst);
        options.Validate();
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(-1, 100)]
    [InlineData(50, 0)]
    [InlineData(50, -5)]
    public void A_rate_or_burst_below_one_is_refused(int permitsPerSecond, int burst)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RateLimitOptions { PermitsPerSecond = permitsPerSecond, Burst = burst }.Validate());
        Assert.Contains("RateLimit:", error.Message);
    }

    [Fact]
    public void A_key_gets_its_burst_then_a_refusal_with_a_retry_after_of_at_least_a_second()
    {
        using var limiter = RateLimitSetup.CreateLimiter(new RateLimitOptions { PermitsPerSecond = 1, Burst = 3 });
        var http = Request("Bearer " + Key);

        var granted = Enumerable.Range(0, 3).Select(_ => limiter.AttemptAcquire(http)).ToList();
        using var refused = limiter.AttemptAcquire(http);

        Assert.All(granted, lease => Assert.True(lease.IsAcquired));
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"{retryAfter}");
        Assert.Equal(1, RateLimitSetup.RetryAfterSeconds(refused));
        granted.ForEach(lease => lease.Dispose());
    }

    [Fact]
    public void One_key_over_its_limit_leaves_another_key_and_an_anonymous_caller_alone()
    {
        using var limiter = RateLimitSetup.CreateLimiter(new RateLimitOptions { PermitsPerSecond = 1, Burst = 1 });
        var first = Request("Bearer " + Key);

        Assert.True(limiter.AttemptAcquire(first).IsAcquired);
        Assert.False(limiter.AttemptAcquire(first).IsAcquired);
        Assert.True(limiter.AttemptAcquire(Request("Bearer sk_workspace_test_abcdefghijklmnoq")).IsAcquired);
        Assert.True(limiter.AttemptAcquire(Request(null)).IsAcquired);
        Assert.True(limiter.AttemptAcquire(Request("Bearer " + Key, "/health/live")).IsAcquired);
    }

    [Fact]
    public void Disabled_never_refuses()
    {
        using var limiter = RateLimitSetup.CreateLimiter(new RateLimitOptions { Enabled = false, PermitsPerSecond = 1, Burst = 1 });
        var http = Request("Bearer " + Key);

        Assert.All(Enumerable.Range(0, 20), _ => Assert.True(limiter.AttemptAcquire(http).IsAcquired));
    }

    [Theory]
    [InlineData(0.001, 1)]
    [InlineData(1.0, 1)]
    [InlineData(1.2, 2)]
    [InlineData(7.0, 7)]
    public void Retry_after_is_the_limiters_estimate_rounded_up_and_at_least_one(double seconds, int expected) =>
        Assert.Equal(expected, RateLimitSetup.RetryAfterSeconds(new Refusal(TimeSpan.FromSeconds(seconds))));

    [Fact]
    public void Retry_after_without_an_estimate_is_one() =>
        Assert.Equal(1, RateLimitSetup.RetryAfterSeconds(new Refusal(null)));

    private static DefaultHttpContext Request(string? authorization, string path = "/connect/v1/apps/FK5b0KSM/production-tests")
    {
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        if (authorization is not null) http.Request.Headers.Authorization = authorization;
        http.Connection.RemoteIpAddress = Caller;
        return http;
    }

    private sealed class Refusal(TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;
        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
