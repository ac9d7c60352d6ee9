using Microsoft.AspNetCore.Authentication;

namespace ProductionTests.RequestsApi.Authentication;

public static class AuthenticationSetup
{
    /// <summary>Workspace API keys as the one authentication scheme, and the per-key rate limit in front of them.</summary>
    public static IServiceCollection AddWorkspaceKeys(this IServiceCollection services)
    {
        services.AddAuthentication(WorkspaceKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, WorkspaceKeyAuthentication>(WorkspaceKeyAuthentication.SchemeName, null);
        services.AddAuthorization();
        services.AddContractRateLimiting();
        return services;
    }
}
