using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Waiting;

public static class WaitingSetup
{
    /// <summary>Callers waiting for an outcome (<c>Prefer: wait</c>), woken by the outcomes' NOTIFY from any instance.</summary>
    public static IServiceCollection AddWaiting(this IServiceCollection services)
    {
        services.AddSingleton<OutcomeWaiters>();
        services.AddSingleton<INotificationHandler, OutcomeNotifications>();
        return services;
    }
}
