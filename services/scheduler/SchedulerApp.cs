using MassTransit;
using Microsoft.Extensions.Options;
using ProductionTests.Scheduler.Scheduling;
using ProductionTests.Scheduler.Tpas;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.Scheduler;

/// <summary>The scheduler worker: consumes ChallengeRequested, books it with tpas-backend, publishes the outcome.</summary>
public static class SchedulerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddServiceTelemetry("scheduler");

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<TpasOptions>().BindConfiguration("Tpas");
        services.AddOptions<SchedulingOptions>().BindConfiguration("Scheduling");
        services.AddHttpClient<TpasClient>((sp, http) =>
        {
            var tpas = sp.GetRequiredService<IOptions<TpasOptions>>().Value;
            http.BaseAddress = tpas.BaseUrl;
            http.Timeout = TimeSpan.FromSeconds(tpas.TimeoutSeconds);
        });
        services.AddRabbitMqBus(builder.Configuration, bus => bus.AddConsumer<ScheduleChallengeConsumer, ScheduleChallengeConsumerDefinition>());
        services.AddHealthChecks();
        services.AddHealthMetrics();
        services.AddQueueDepthMetrics(builder.Configuration, ScheduleChallengeConsumerDefinition.Queue);

        var app = builder.Build();
        app.MapHealthEndpoints();
        return app;
    }
}
