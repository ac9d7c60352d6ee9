using JasperFx.Events.Projections;
using Marten;
using Marten.Exceptions;
using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Webhooks;

public static class WebhooksSetup
{
    /// <summary>
    /// Signed webhooks (configuration section <c>Webhooks</c>, docs/webhooks.md): the configuration's events and
    /// view, the intake (an async daemon subscription, so call this before the relay starts the daemon), the
    /// deliveries' tables, and the dispatcher. The routes are in the endpoint table.
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
            options.Schema.For<WebhookIntakeRegistration>();
        });
        // Before the daemon (hosted services start in registration order): the tables, and where the intake starts.
        services.AddHostedService<WebhookIntakeStartingPoint>();
        marten.AddSubscriptionWithServices<WebhookIntake>(ServiceLifetime.Singleton);
        if (configuration.GetValue("Webhooks:DispatcherEnabled", true)) services.AddHostedService<WebhookDispatcher>();
        services.AddSingleton<WebhookDeliveryPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDeliveryPurge>());
        return marten;
    }
}

/// <summary>
/// Creates the deliveries' tables and decides where the intake starts: at the present the first time it meets
/// a store, so events committed before webhooks existed are not delivered; from its progress ever after. The
/// first start is remembered in a <see cref="WebhookIntakeRegistration"/> (written even on an empty store, so
/// events committed before the intake first ran are not skipped on a later start). The progress row is
/// written only above sequence 0: a row at 0 makes the daemon insert it again and fail (duplicate key).
/// </summary>
public sealed class WebhookIntakeStartingPoint(IDocumentStore store, WebhookDeliveries deliveries, ILogger<WebhookIntakeStartingPoint> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await deliveries.EnsureSchemaAsync(cancellationToken);
            var registration = await RegisterAsync(cancellationToken);
            if (registration.StartsAfterSequence <= 0) return;
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"""
                INSERT INTO {EventStoreSetup.Schema}.mt_event_progression (name, last_seq_id, last_updated)
                VALUES (@name, @sequence, now()) ON CONFLICT (name) DO NOTHING
                """, connection);
            command.Parameters.AddWithValue("name", WebhookIntake.ShardName);
            command.Parameters.AddWithValue("sequence", registration.StartsAfterSequence);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or MartenCommandException)
        {
            logger.LogWarning(e, "Could not prepare the webhook intake; done again on the next start");
        }
    }

    private async Task<WebhookIntakeRegistration> RegisterAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<WebhookIntakeRegistration>(WebhookIntakeRegistration.IntakeId, ct) is { } existing) return existing;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT COALESCE(MAX(seq_id), 0) FROM {EventStoreSetup.Schema}.mt_events", connection);
        var registration = new WebhookIntakeRegistration(WebhookIntakeRegistration.IntakeId, (long)(await command.ExecuteScalarAsync(ct))!, DateTimeOffset.UtcNow);
        session.Insert(registration);
        try
        {
            await session.SaveChangesAsync(ct);
            logger.LogInformation("The webhook intake runs for the first time on this store; it starts after sequence {Sequence}", registration.StartsAfterSequence);
            return registration;
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            await using var again = store.QuerySession();
            return (await again.LoadAsync<WebhookIntakeRegistration>(WebhookIntakeRegistration.IntakeId, ct))!;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>When the webhook intake first ran on this store: it queues deliveries only for events after that sequence.</summary>
public sealed record WebhookIntakeRegistration(string Id, long StartsAfterSequence, DateTimeOffset RegisteredAt)
{
    public const string IntakeId = WebhookIntake.IntakeName;
}
