using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace ProductionTests.RequestsApi.Infrastructure;

public static class ProblemDetailsSetup
{
    /// <summary>
    /// Every error, ours or the framework's (unknown route, 405, exceptions), leaves as the contract's
    /// problem+json: title is the code, plus <c>type</c>, <c>instance</c>, <c>timestamp</c> and
    /// <c>traceId</c> (see <see cref="TraceId"/>).
    /// </summary>
    public static IServiceCollection AddContractProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem.Title is null || !ErrorCodes.All.Contains(problem.Title))
            {
                // Produced by the framework (unknown route, wrong method...): give it the contract's shape.
                problem.Title = ErrorCodes.ForStatus(status);
                problem.Detail ??= status switch
                {
                    404 => "No resource answers at this address.",
                    405 => $"{context.HttpContext.Request.Method} is not allowed on this resource; see the Allow header.",
                    415 => "The body must be sent as 'Content-Type: application/json'.",
                    _ => ReasonPhrases.GetReasonPhrase(status),
                };
            }
            if (status == 415) problem.Extensions.TryAdd("context", new { field = "Content-Type" });
            problem.Type = ErrorCodes.TypeFor(problem.Title);
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions["traceId"] = TraceId(context.HttpContext);
            problem.Extensions["timestamp"] = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        });
        services.AddExceptionHandler<ContractExceptionHandler>();
        return services;
    }

    /// <summary>
    /// The W3C trace id (32 hex digits) of the request's activity: the trace its spans are exported
    /// under, and the caller's own when it sent a <c>traceparent</c>.
    /// </summary>
    public static string TraceId(HttpContext http)
    {
        if ((http.Features.Get<IHttpActivityFeature>()?.Activity ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } activity)
            return activity.TraceId.ToHexString();
        // No activity (hosting's logging and every listener turned off): nothing is traced, but the
        // caller's trace id, or a fresh one, still names the error.
        return ActivityContext.TryParse(http.Request.Headers.TraceParent, http.Request.Headers.TraceState, out var parent)
            ? parent.TraceId.ToHexString()
            : ActivityTraceId.CreateRandom().ToHexString();
    }
}

/// <summary>
/// Turns what escaped an endpoint into a contract answer: a database that cannot be reached is a
/// dependency down (503 with Retry-After); a malformed request the framework caught is the caller's
/// (4xx); anything else is ours (500, with nothing internal in the answer).
/// </summary>
public sealed class ContractExceptionHandler(IProblemDetailsService problems, ILogger<ContractExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, ErrorCodes.ForStatus(bad.StatusCode), bad.Message),
            JsonException => (400, ErrorCodes.ValidationInvalidParameter, "The request could not be read."),
            _ when IsDatabaseUnavailable(exception) =>
                (503, ErrorCodes.ProviderUnavailable, "The event store is unavailable; retry shortly."),
            _ => (500, ErrorCodes.SystemInternalError, "An unexpected error occurred; it has been logged."),
        };
        if (status >= 500) logger.LogError(exception, "Request {Method} {Path} failed with {Status}", http.Request.Method, http.Request.Path, status);
        if (status == 503) http.Response.Headers.RetryAfter = "5";
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = code, Detail = detail },
        });
    }

    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException) return true;
            if (e is NpgsqlException npgsql && npgsql.InnerException is System.Net.Sockets.SocketException or IOException) return true;
        }
        return false;
    }
}
