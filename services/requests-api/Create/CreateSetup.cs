using Marten;
using Microsoft.AspNetCore.OpenApi;
using ProductionTests.RequestsApi.Create.Idempotency;

namespace ProductionTests.RequestsApi.Create;

public static class CreateSetup
{
    /// <summary>The create's batching writer, its idempotency records and their purge, and the body's rules in the OpenAPI document.</summary>
    public static IServiceCollection AddCreate(this IServiceCollection services)
    {
        services.AddSingleton<CreateWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<CreateWriter>());
        services.ConfigureMarten(options => options.Schema.For<IdempotencyRecord>().Duplicate(r => r.ExpiresAt));
        services.AddSingleton<IdempotencyPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<IdempotencyPurge>());
        // Post-configured: after the document's own schema transformers, whichever is registered first.
        services.PostConfigureAll<OpenApiOptions>(o => o.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(CreateProductionTestBody)) CreateProductionTestBody.DescribeSchema(schema);
            return Task.CompletedTask;
        }));
        return services;
    }
}
