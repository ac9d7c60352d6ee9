namespace ProductionTests.FaultSuite;

/// <summary>
/// The 4xx answers the HTTP contract documents (README, "Errors"), and which of them may end one of the load's
/// creates. Those creates are well formed, carry the demo key and send an identical body on every retry, so
/// IDEMPOTENCY_KEY_CONFLICT (same key, different body) is a defect for them, not "not accepted".
/// </summary>
public static class CreateRejections
{
    public const string KeyConflict = "IDEMPOTENCY_KEY_CONFLICT";

    public static readonly IReadOnlyDictionary<string, int> Documented = new Dictionary<string, int>
    {
        ["AUTH_INVALID_CREDENTIALS"] = 401,
        ["AUTH_FORBIDDEN"] = 403,
        ["AUTH_RATE_LIMITED"] = 429,
        ["VALIDATION_MISSING_PARAMETER"] = 400,
        ["VALIDATION_INVALID_PARAMETER"] = 400,
        ["VALIDATION_PAYLOAD_TOO_LARGE"] = 413,
        ["VALIDATION_UNSUPPORTED_MEDIA_TYPE"] = 415,
        ["RESOURCE_NOT_FOUND"] = 404,
        ["RESOURCE_METHOD_NOT_ALLOWED"] = 405,
        ["RESOURCE_CONFLICT"] = 409,
        [KeyConflict] = 409,
        ["IDEMPOTENCY_REQUEST_IN_PROGRESS"] = 409,
    };

    /// <summary>Whether a create of the load may end with this answer: a documented code with its status, and not a key conflict.</summary>
    public static bool Allowed(int? status, string? code) =>
        code is not null && code != KeyConflict && Documented.TryGetValue(code, out var documented) && documented == status;
}
