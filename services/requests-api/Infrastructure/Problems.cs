using Microsoft.AspNetCore.Mvc;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// The error codes (the problem's <c>title</c>): the contract's, and one of their own in Hopae's
/// CATEGORY_ERROR_NAME scheme for each status the framework produces (405, 413, 415, 429).
/// </summary>
public static class ErrorCodes
{
    public const string AuthInvalidCredentials = "AUTH_INVALID_CREDENTIALS";
    public const string AuthForbidden = "AUTH_FORBIDDEN";
    public const string ValidationMissingParameter = "VALIDATION_MISSING_PARAMETER";
    public const string ValidationInvalidParameter = "VALIDATION_INVALID_PARAMETER";
    public const string ResourceNotFound = "RESOURCE_NOT_FOUND";
    public const string ResourceConflict = "RESOURCE_CONFLICT";
    public const string IdempotencyKeyConflict = "IDEMPOTENCY_KEY_CONFLICT";
    public const string IdempotencyRequestInProgress = "IDEMPOTENCY_REQUEST_IN_PROGRESS";
    public const string SystemInternalError = "SYSTEM_INTERNAL_ERROR";
    public const string ProviderUnavailable = "PROVIDER_UNAVAILABLE";
    public const string ResourceMethodNotAllowed = "RESOURCE_METHOD_NOT_ALLOWED";
    public const string ValidationPayloadTooLarge = "VALIDATION_PAYLOAD_TOO_LARGE";
    public const string ValidationUnsupportedMediaType = "VALIDATION_UNSUPPORTED_MEDIA_TYPE";
    /// <summary>429: the limit is per credential (a key, or an address without one).</summary>
    public const string AuthRateLimited = "AUTH_RATE_LIMITED";

    /// <summary>Every code this API answers with.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        AuthInvalidCredentials, AuthForbidden, ValidationMissingParameter, ValidationInvalidParameter,
        ResourceNotFound, ResourceConflict, IdempotencyKeyConflict, IdempotencyRequestInProgress,
        SystemInternalError, ProviderUnavailable,
        ResourceMethodNotAllowed, ValidationPayloadTooLarge, ValidationUnsupportedMediaType, AuthRateLimited,
    };

    /// <summary>The code for a status the framework produced on its own (unknown route, 405, 413, 415...).</summary>
    public static string ForStatus(int status) => status switch
    {
        401 => AuthInvalidCredentials,
        403 => AuthForbidden,
        404 => ResourceNotFound,
        405 => ResourceMethodNotAllowed,
        409 => ResourceConflict,
        413 => ValidationPayloadTooLarge,
        415 => ValidationUnsupportedMediaType,
        429 => AuthRateLimited,
        >= 400 and < 500 => ValidationInvalidParameter,
        503 => ProviderUnavailable,
        _ => SystemInternalError,
    };

    /// <summary>The problem <c>type</c>: a stable URN per code, documented in the README.</summary>
    public static string TypeFor(string code) => $"urn:production-tests:error:{code.ToLowerInvariant().Replace('_', '-')}";
}

/// <summary>Builds the contract's problem+json answers.</summary>
public static class Problem
{
    public static IResult Of(int status, string code, string detail, object? context = null, IDictionary<string, string>? headers = null)
    {
        var problem = new ProblemDetails { Status = status, Title = code, Detail = detail, Type = ErrorCodes.TypeFor(code) };
        // The refusal shows in the request's trace, not only in its answer.
        if (System.Diagnostics.Activity.Current is { } span)
        {
            span.SetTag("production_tests.problem.code", code);
            span.SetTag("production_tests.problem.detail", detail);
        }
        if (context is not null) problem.Extensions["context"] = context;
        var result = TypedResults.Problem(problem);
        return headers is null ? result : new WithHeaders(result, headers);
    }

    public static IResult NotFound(string detail) => Of(404, ErrorCodes.ResourceNotFound, detail);

    public static IResult Invalid(ValidationError error, IReadOnlyList<ValidationError> all) =>
        Of(400, error.Code, error.Message, new { field = error.Field, errors = all });

    private sealed class WithHeaders(IResult inner, IDictionary<string, string> headers) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            foreach (var (name, value) in headers) httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>One refused field of a request.</summary>
public sealed record ValidationError(string Field, string Code, string Message);
