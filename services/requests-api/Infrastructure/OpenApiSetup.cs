using Microsoft.OpenApi;

namespace ProductionTests.RequestsApi.Infrastructure;

public static class OpenApiSetup
{
    /// <summary>
    /// /openapi/v1.json with the bearer scheme (workspace API keys) required on every operation. Its one
    /// server is "/", the origin the document was fetched from: the instance or the load balancer in front
    /// of it (ASP.NET Core would name the address this instance saw, with a trailing slash).
    /// </summary>
    public static IServiceCollection AddContractOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options
            .AddSchemaTransformer(OpenApiSchemas.Transform)
            .AddOperationTransformer(DeclareRetryAfter)
            .AddDocumentTransformer(OpenApiSchemas.RemoveNullFromOptionalReferences)
            .AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Production tests API",
                Version = "v1",
                Description = "Ask for production test challenges for your apps. Errors are application/problem+json (RFC 9457) whose title is one of the documented codes.",
                Contact = new OpenApiContact { Name = "Production tests maintainers" },
            };
            document.Servers = [new OpenApiServer { Url = "/", Description = "Where this document was served from (paths include /connect/v1)." }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["WorkspaceKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "sk_workspace_{test|prod}_...",
                Description = "A workspace API key: sk_workspace_test_... in sandbox, sk_workspace_prod_... in production.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("WorkspaceKey", document)] = [] });
            return Task.CompletedTask;
        }));

    /// <summary>Every 429 and 503 says when to come back.</summary>
    private static Task DeclareRetryAfter(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        foreach (var status in new[] { "429", "503" })
        {
            if (operation.Responses?.TryGetValue(status, out var declared) != true || declared is not OpenApiResponse response) continue;
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
            };
        }
        return Task.CompletedTask;
    }
}
