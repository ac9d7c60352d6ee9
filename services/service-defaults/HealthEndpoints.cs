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

    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: and its dependencies do too; the body is the
    /// overall status, then one line per check that is not healthy.
    /// <paramref name="degradedIsReady"/>: a Degraded check (for requests-api: the broker away, the relay behind)
    /// leaves the instance in a load balancer's rotation (200, body "Degraded ..."): every instance shares those
    /// troubles, and taking them all out would refuse the creates the database can still accept. Without it
    /// (the scheduler, whose only dependency is the broker) Degraded is not ready.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes, bool degradedIsReady = false)
    {
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = degradedIsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteAsync,
        });
        return routes;
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"\n{e.Key}: {e.Value.Status}{(e.Value.Description is { } d ? $" - {d}" : "")}");
        return http.Response.WriteAsync(report.Status + string.Concat(lines));
    }
}
