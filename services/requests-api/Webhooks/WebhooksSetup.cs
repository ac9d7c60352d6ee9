using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Webhooks;

public static class WebhooksSetup
{
    /// <summary>
    /// Signed webhooks (configuration section <c>Webhooks</c>, docs/webhooks.md): the configuration's events and
    /// view, the intake (which the request writers call in their transactions), the deliveries' tables, and the
    /// dispatcher. The routes are in the endpoint table.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddWebhooks(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten, IConfiguration configuration)
    {
        var services = marten.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks");
        services.AddSingleton<SecretBox>();
        services.AddSingleton<IWebhookHostResolver, DnsHostResolver>();
        services.AddSingleton<WebhookUrlPolicy>();
        services.AddSingleton<WebhookDispatchSignal>();
        services.AddSingleton<INotificationHandler>(sp => sp.GetRequiredService<WebhookDispatchSignal>());
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<WebhookDestinationPauses>();
        services.ConfigureMarten(options =>
        {
            options.Events.AddEventType<WebhookConfigured>();
            options.Events.AddEventType<WebhookSecretIssued>();
            options.Projections.Add<WebhookConfigProjection>(ProjectionLifecycle.Inline);
            options.Schema.For<WebhookConfigView>();
        });
        services.AddSingleton<WebhookIntake>();
        services.AddHostedService<WebhookTablesAtStart>();
        if (configuration.GetValue("Webhooks:DispatcherEnabled", true)) services.AddHostedService<WebhookDispatcher>();
        services.AddSingleton<WebhookDeliveryPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDeliveryPurge>());
        return marten;
    }
}

/// <summary>
/// Creates the deliveries' tables at start, so the first create does not wait for it (the intake also makes sure before
/// its first insert, so a database that was unreachable at start is handled on first use).
/// </summary>
public sealed class WebhookTablesAtStart(WebhookDeliveries deliveries, ILogger<WebhookTablesAtStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await deliveries.EnsureSchemaAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(e, "Could not create the webhook deliveries' tables; done again on first use");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
