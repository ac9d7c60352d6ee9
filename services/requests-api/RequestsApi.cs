using MassTransit;
using Microsoft.AspNetCore.Authentication;
using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Benchmark;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.ProductionTests.Outcomes;
using ProductionTests.ServiceDefaults;
using ProductionTests.RequestsApi.ProductionTests;
using ProductionTests.RequestsApi.ProductionTests.Report;
using Scalar.AspNetCore;

namespace ProductionTests.RequestsApi;

/// <summary>What requests-api is made of, in one place; Program.cs only runs it.</summary>
public static class RequestsApi
{
    public static WebApplicationBuilder AddRequestsApi(this WebApplicationBuilder builder)
    {
        builder.AddServiceTelemetry("requests-api");
        builder.UseContractKestrel();
        var services = builder.Services;
        services.AddOptions<DeploymentOptions>().BindConfiguration("Deployment").Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new UtcTimestampConverter());
            // Numbers are numbers: the web defaults also read them from strings, which the OpenAPI document would then allow.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddContractProblemDetails();
        services.AddEventStore(builder.Configuration);
        services.AddRabbitMqBus(builder.Configuration, bus => bus.AddConsumer<ChallengeOutcomeConsumer, ChallengeOutcomeConsumerDefinition>());
        services.AddAuthentication(WorkspaceKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, WorkspaceKeyAuthentication>(WorkspaceKeyAuthentication.SchemeName, null);
        services.AddAuthorization();
        services.AddContractRateLimiting();
        services.AddContractOpenApi();
        services.AddOptions<TpasReportOptions>().BindConfiguration("Tpas");
        services.AddHttpClient<TpasReportClient>((sp, http) =>
        {
            var tpas = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TpasReportOptions>>().Value;
            http.BaseAddress = tpas.BaseUrl;
            http.Timeout = TimeSpan.FromSeconds(tpas.TimeoutSeconds);
        });
        services.AddHealthChecks()
            .AddCheck<EventStoreHealthCheck>("postgres", tags: [HealthEndpoints.Ready])
            .AddCheck<Relay.RelayHealthCheck>("relay", tags: [HealthEndpoints.Ready]);
        return builder;
    }

    public static WebApplication MapRequestsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter(); // before authentication: a flood is turned away before any key look-up
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Production tests API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapProductionTests();
        app.MapBenchmarkBaseline(); // only with Benchmark:BaselineEndpoint=true
        return app;
    }
}
