using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProductionTests.ServiceDefaults;

namespace ProductionTests.RequestsApi.Relay;

public static class RelaySetup
{
    private static readonly TimeSpan FastPolling = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan SlowPolling = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The relay: an async daemon subscription that publishes committed events to the bus, from where it
    /// first started (<see cref="RelayStartingPoint"/>), on one instance at a time (HotCold), woken by this
    /// instance's commits (<see cref="RelayWakeup"/>), and reported in readiness when it falls behind.
    /// <c>Relay:Enabled=false</c> leaves the events unpublished (tests of a crash between commit and publish).
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddRelay(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten, IConfiguration configuration)
    {
        var services = marten.Services;
        // Woken looks are spaced like the fast polling: a look after every commit cost more than it saved
        // under load (see docs/decisions, relay wake-up spacing).
        var relayWakeup = new RelayWakeup(minimumSpacing: FastPolling);
        services.AddSingleton(relayWakeup);
        services.ConfigureMarten(options =>
        {
            // Far tighter than the defaults (0.5-1 s), so a request is scheduled within a fraction of a second.
            options.Projections.FastPollingTime = FastPolling;
            options.Projections.SlowPollingTime = SlowPolling;
            options.Projections.Wakeup = relayWakeup;
            // How often a cold instance tries to take the leadership (the advisory lock): it bounds how long publishing
            // pauses after the leader dies; each try is one query per instance (docs/decisions, relay takeover).
            options.Projections.LeadershipPollingTime = configuration.GetValue("Relay:LeadershipPollingMs", 1000);
            options.Schema.For<RelayRegistration>();
        });

        // Before the daemon: hosted services start in registration order.
        services.AddHostedService<RelayStartingPoint>();
        marten.AddSubscriptionWithServices<ChallengeRequestedRelay>(ServiceLifetime.Singleton);
        marten.AddAsyncDaemon(configuration.GetValue("Relay:Enabled", true) ? DaemonMode.HotCold : DaemonMode.Disabled);
        services.AddHealthChecks().AddCheck<RelayHealthCheck>("relay", tags: [HealthEndpoints.Ready]);
        return marten;
    }
}
