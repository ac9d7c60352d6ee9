using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;

namespace ProductionTests.ServiceDefaults;

public static class HealthEndpoints
{
    /// <summary>Checks tagged "ready" (MassTransit tags its bus check so) decide readiness.</summary>
    public const string Ready = "ready";

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: and its dependencies do too.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
        return routes;
    }
}
