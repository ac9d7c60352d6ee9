using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

public class ErrorCodesTests
{
    [Theory]
    [InlineData(401, ErrorCodes.AuthInvalidCredentials)]
    [InlineData(403, ErrorCodes.AuthForbidden)]
    [InlineData(404, ErrorCodes.ResourceNotFound)]
    [InlineData(409, ErrorCodes.ResourceConflict)]
    [InlineData(400, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(405, ErrorCodes.ResourceMethodNotAllowed)]
    [InlineData(413, ErrorCodes.ValidationPayloadTooLarge)]
    [InlineData(415, ErrorCodes.ValidationUnsupportedMediaType)]
    [InlineData(429, ErrorCodes.AuthRateLimited)]
    [InlineData(408, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(499, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(503, ErrorCodes.ProviderUnavailable)]
    [InlineData(500, ErrorCodes.SystemInternalError)]
    [InlineData(502, ErrorCodes.SystemInternalError)]
    [InlineData(504, ErrorCodes.SystemInternalError)]
    public void ForStatus_maps_each_status_to_its_code(int status, string code)
    {
        Assert.Equal(code, ErrorCodes.ForStatus(status));
        Assert.Contains(code, ErrorCodes.All);
    }

    [Fact]
    public void All_holds_the_ten_contract_codes_and_the_four_of_framework_statuses()
    {
        Assert.Equal(14, ErrorCodes.All.Count);
        Assert.Contains("VALIDATION_MISSING_PARAMETER", ErrorCodes.All);
        Assert.Contains("IDEMPOTENCY_REQUEST_IN_PROGRESS", ErrorCodes.All);
        Assert.Contains("RESOURCE_METHOD_NOT_ALLOWED", ErrorCodes.All);
        Assert.Contains("VALIDATION_PAYLOAD_TOO_LARGE", ErrorCodes.All);
        Assert.Contains("VALIDATION_UNSUPPORTED_MEDIA_TYPE", ErrorCodes.All);
        Assert.Contains("AUTH_RATE_LIMITED", ErrorCodes.All);
    }

    [Fact]
    public void Every_code_follows_Hopaes_CATEGORY_ERROR_NAME_scheme() =>
        Assert.All(ErrorCodes.All, code => Assert.Matches("^(AUTH|VALIDATION|SESSION|PROVIDER|SYSTEM|RESOURCE|IDEMPOTENCY)_[A-Z]+(_[A-Z]+)*$", code));

    [Theory]
    [InlineData(ErrorCodes.ValidationMissingParameter, "urn:production-tests:error:validation-missing-parameter")]
    [InlineData(ErrorCodes.ValidationInvalidParameter, "urn:production-tests:error:validation-invalid-parameter")]
    [InlineData(ErrorCodes.AuthForbidden, "urn:production-tests:error:auth-forbidden")]
    [InlineData(ErrorCodes.ProviderUnavailable, "urn:production-tests:error:provider-unavailable")]
    public void TypeFor_is_a_lowercase_urn_with_dashes(string code, string type) =>
        Assert.Equal(type, ErrorCodes.TypeFor(code));

    [Fact]
    public void TypeFor_is_distinct_for_every_code() =>
        Assert.Equal(ErrorCodes.All.Count, ErrorCodes.All.Select(ErrorCodes.TypeFor).Distinct().Count());
}
