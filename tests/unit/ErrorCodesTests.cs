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
    [InlineData(405, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(413, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(415, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(499, ErrorCodes.ValidationInvalidParameter)]
    [InlineData(503, ErrorCodes.ProviderUnavailable)]
    [InlineData(500, ErrorCodes.SystemInternalError)]
    [InlineData(502, ErrorCodes.SystemInternalError)]
    [InlineData(504, ErrorCodes.SystemInternalError)]
    public void ForStatus_maps_each_status_to_a_contract_code(int status, string code)
    {
        Assert.Equal(code, ErrorCodes.ForStatus(status));
        Assert.Contains(code, ErrorCodes.All);
    }

    [Fact]
    public void All_holds_the_ten_contract_codes()
    {
        Assert.Equal(10, ErrorCodes.All.Count);
        Assert.Contains("VALIDATION_MISSING_PARAMETER", ErrorCodes.All);
        Assert.Contains("IDEMPOTENCY_REQUEST_IN_PROGRESS", ErrorCodes.All);
    }

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
