using ProductionTests.RequestsApi.Authentication;
using ProductionTests.RequestsApi.Create;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Outcomes;
using ProductionTests.RequestsApi.Reading;
using ProductionTests.RequestsApi.ReferenceData;
using ProductionTests.RequestsApi.Relay;
using ProductionTests.RequestsApi.Report;
using ProductionTests.RequestsApi.Waiting;
using ProductionTests.RequestsApi.Webhooks;
using ProductionTests.ServiceDefaults;
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
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddContractProblemDetails();
        services.AddContractOpenApi();
        services.AddWorkspaceKeys();

        // The event store, then each feature with what it needs of it (hosted services start in this order and stop in reverse).
        var eventStore = services.AddEventStore(builder.Configuration);
        services.AddRequestStreams();          // Events: the request's events and its view
        eventStore.AddWebhooks(builder.Configuration);  // Webhooks: signed deliveries of the events (queued by the writers)
        eventStore.AddRelay(builder.Configuration);  // Relay: committed events to the bus
        services.AddReferenceData();           // ReferenceData: workspaces, keys, apps, providers
        services.AddReading();                 // Reading: GET one, the list (version reads, answers kept by version)
        services.AddWaiting();                 // Waiting: Prefer: wait
        services.AddCreate();                  // Create: POST, idempotency
        services.AddOutcomes();                // Outcomes: the scheduler's answers
        // Outcomes:ConsumerEnabled=false: an instance that does not store outcomes (one that only dispatches webhooks, say).
        var consumesOutcomes = builder.Configuration.GetValue("Outcomes:ConsumerEnabled", true);
        services.AddRabbitMqBus(builder.Configuration, bus => { if (consumesOutcomes) bus.AddOutcomeConsumer(); }, brokerIsDegradation: true); // ready = can accept creates
        services.AddHealthMetrics();
        services.AddQueueDepthMetrics(builder.Configuration, ChallengeOutcomeConsumerDefinition.Queue);
        services.AddReport();                  // Report: read from tpas-backend
        return builder;
    }

    public static WebApplication MapRequestsApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter(); // before authentication: a flood is turned away before any key look-up
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints(degradedIsReady: true);
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Production tests API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapProductionTests();
        return app;
    }
}
