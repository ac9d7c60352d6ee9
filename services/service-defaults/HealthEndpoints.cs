using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProductionTests.ServiceDefaults;

public static class HealthEndpoints
{
    /// <summary>Checks tagged "ready" (MassTransit tags its bus check so) decide readiness.</summary>
    public const string Ready = "ready";

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: and its dependencies do too.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Degraded (MassTransit's word for a bus that lost its broker) is not ready either.
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return routes;
    }
}
