using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.RequestsApi.Authentication;

/// <summary>
/// <c>Authorization: Bearer sk_workspace_...</c>: the key is hashed and looked up; the caller becomes
/// its workspace. Missing, malformed or unknown keys get 401; a real key of the other deployment
/// environment (a prod key on sandbox) gets 403.
/// The key and the Authorization header are never logged and never part of a refusal's detail (which
/// the framework logs as the failure message); AbuseTests and RateLimitTests hold every log line to that.
/// </summary>
public sealed class WorkspaceKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ReferenceDataCache referenceData,
    IOptions<DeploymentOptions> deployment) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "WorkspaceKey";
    public const string WorkspaceClaim = "workspace_id";
    private const string RefusalKey = "workspace-key-refusal";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return Refuse(401, "The Authorization header is missing; send 'Authorization: Bearer <workspace API key>'.");
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Refuse(401, "The Authorization header must use the Bearer scheme.");

        var key = header["Bearer ".Length..].Trim();
        var keyEnvironment = WorkspaceKeys.EnvironmentOf(key);
        if (keyEnvironment is null) return Refuse(401, "The API key is malformed; workspace keys look like sk_workspace_test_... or sk_workspace_prod_....");

        // Looked up by its SHA-256 (the stored id); the clear key is never stored, logged or put in a
        // message. Once loaded, the stored hash is compared with ours in constant time as well: defence
        // in depth should the look-up ever match something other than the exact hash.
        var hash = WorkspaceKeys.HashBytes(key);
        var stored = await referenceData.LoadAsync<ApiKey>(Convert.ToHexStringLower(hash), Context.RequestAborted);
        if (stored is null || !WorkspaceKeys.HashMatches(stored.Id, hash)) return Refuse(401, "The API key is not valid.");
        if (keyEnvironment != deployment.Value.Environment)
            return Refuse(403, $"This is a {keyEnvironment} key; this deployment is {deployment.Value.Environment}.");

        var identity = new ClaimsIdentity([new Claim(WorkspaceClaim, stored.WorkspaceId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Refuse(int status, string detail)
    {
        Context.Items[RefusalKey] = (status, detail);
        return AuthenticateResult.Fail(detail);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (status, detail) = Context.Items[RefusalKey] as (int, string)? ?? (401, "Authentication is required.");
        if (status == 401) Response.Headers.WWWAuthenticate = "Bearer";
        return Problem.Of(status, status == 403 ? ErrorCodes.AuthForbidden : ErrorCodes.AuthInvalidCredentials, detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem.Of(403, ErrorCodes.AuthForbidden, "This key may not do this.").ExecuteAsync(Context);
}

public static class WorkspaceIdentity
{
    /// <summary>The authenticated caller's workspace (only called behind RequireAuthorization).</summary>
    public static string WorkspaceId(this ClaimsPrincipal user) =>
        user.FindFirstValue(WorkspaceKeyAuthentication.WorkspaceClaim) ?? throw new InvalidOperationException("No authenticated workspace.");
}
