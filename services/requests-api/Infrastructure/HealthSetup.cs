using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: and its dependencies do too.</summary>
public static class HealthSetup
{
    public const string Ready = "ready";

    public static IServiceCollection AddContractHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<EventStoreHealthCheck>("postgres", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapContractHealthChecks(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
        return routes;
    }
}

public sealed class EventStoreHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", e);
        }
    }
}
