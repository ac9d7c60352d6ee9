using Microsoft.Net.Http.Headers;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>
/// Conditional GET (RFC 9110): the answer's ETag, and 304 Not Modified without a body when the caller's
/// If-None-Match already names it. Every answer says <c>Cache-Control: private, no-cache</c>: it is the
/// caller's own (it needs the workspace key) and must be revalidated before each reuse.
/// </summary>
public static class ConditionalGet
{
    public const string CacheControl = "private, no-cache";

    /// <summary>Sets ETag and Cache-Control; true when If-None-Match matches it (weak comparison, or <c>*</c>), so the answer is 304.</summary>
    public static bool NotModified(HttpContext http, string etag)
    {
        var headers = http.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = CacheControl;
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)) return false;
        var current = EntityTagHeaderValue.Parse(etag);
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
    }

    /// <summary>304: no body; the ETag, Cache-Control and Vary set for the 200 stay on it.</summary>
    public static IResult NotModifiedResult() => TypedResults.StatusCode(StatusCodes.Status304NotModified);

    public static bool HasIfNoneMatch(HttpContext http) => http.Request.Headers.IfNoneMatch.Count > 0;
}
