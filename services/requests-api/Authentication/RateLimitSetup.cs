using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Authentication;

/// <summary>The per-key rate limit; configuration section <c>RateLimit</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Whether requests are limited at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The token bucket's refill: requests per second a caller may keep up.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>The bucket's size: requests a caller may send at once after a quiet moment.</summary>
    public int Burst { get; set; } = 100;

    public void Validate()
    {
        if (PermitsPerSecond < 1)
            throw new InvalidOperationException($"RateLimit:PermitsPerSecond must be at least 1, not {PermitsPerSecond}.");
        if (Burst < 1)
            throw new InvalidOperationException($"RateLimit:Burst must be at least 1, not {Burst}.");
    }
}

/// <summary>
/// One token bucket per caller, in front of everything else (authentication included, so a flood never
/// reaches the database): a caller is a workspace key, known by its SHA-256 (never the key itself),
/// or, without a well-formed key, the remote IP address. Over the limit the answer is 429 problem+json
/// with <c>Retry-After</c>. Health, the OpenAPI document and the docs page are never limited.
/// </summary>
public static class RateLimitSetup
{
    /// <summary>Paths no limit applies to: probes and documentation.</summary>
    private static readonly PathString[] Unlimited = ["/health", "/openapi", "/docs"];

    public static IServiceCollection AddContractRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, settings) =>
        {
            limiter.GlobalLimiter = CreateLimiter(settings.Value);
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) => new ValueTask(Reject(context.HttpContext, context.Lease));
        });
        return services;
    }

    /// <summary>The limiter: a token bucket per <see cref="PartitionKey"/>, none where it is null.</summary>
    public static PartitionedRateLimiter<HttpContext> CreateLimiter(RateLimitOptions options) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var partition = options.Enabled
                ? PartitionKey(http.Request.Path, http.Request.Headers.Authorization, http.Connection.RemoteIpAddress)
                : null;
            return partition is null
                ? RateLimitPartition.GetNoLimiter("")
                : RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = options.PermitsPerSecond,
                    // Refilled continuously at this rate (the partitioned limiter replenishes by elapsed time).
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
        });

    /// <summary>
    /// Whose bucket a request draws from: <c>key:</c> and the SHA-256 hex of a well-formed Bearer key
    /// (the same hash the key is stored under; the key itself is never kept); <c>ip:</c> and the remote
    /// address for anything else (no key, another scheme, a malformed key: refused without touching the
    /// database, and not a way to get a fresh bucket per request); null for the paths never limited.
    /// </summary>
    public static string? PartitionKey(PathString path, string? authorization, IPAddress? remoteAddress)
    {
        foreach (var unlimited in Unlimited)
            if (path.StartsWithSegments(unlimited, StringComparison.OrdinalIgnoreCase)) return null;
        // Parsed exactly as WorkspaceKeyAuthentication parses it, so a key has one bucket however it is sent.
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var key = authorization["Bearer ".Length..].Trim();
            if (WorkspaceKeys.EnvironmentOf(key) is not null) return "key:" + WorkspaceKeys.Hash(key);
        }
        return "ip:" + (remoteAddress?.ToString() ?? "unknown");
    }

    /// <summary>Seconds for <c>Retry-After</c>: the limiter's estimate, rounded up, at least 1.</summary>
    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;

    private static Task Reject(HttpContext http, RateLimitLease lease)
    {
        var seconds = RetryAfterSeconds(lease);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem.Of(StatusCodes.Status429TooManyRequests, ErrorCodes.AuthRateLimited,
            $"Too many requests from this caller; retry after {seconds} s.").ExecuteAsync(http);
    }
}
