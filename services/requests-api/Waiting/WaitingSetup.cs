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

/// <summary>
/// The outcome writer NOTIFYs <see cref="Channel"/> with the request id in the transaction that appends the
/// outcome, so every instance, not only the one that consumed the message, wakes its waiters at commit.
/// </summary>
public sealed class OutcomeNotifications(OutcomeWaiters waiters) : INotificationHandler
{
    public const string Channel = "production_tests_outcomes";

    string INotificationHandler.Channel => Channel;
    public void Notified(string payload) => waiters.Notify(payload);
    public void MissedSome() => waiters.NotifyAll();
}
