using Marten;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.ReferenceData;

public static class ReferenceDataSetup
{
    /// <summary>Workspaces, keys, apps and providers as documents, their loader, and the cache every instance empties on NOTIFY.</summary>
    public static IServiceCollection AddReferenceData(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<Workspace>();
            options.Schema.For<ApiKey>().Duplicate(k => k.WorkspaceId);
            options.Schema.For<App>().Duplicate(a => a.WorkspaceId);
            options.Schema.For<Provider>();
        });
        services.AddSingleton<ReferenceDataLoader>();
        services.AddSingleton<ReferenceDataCache>();
        services.AddSingleton<INotificationHandler, ReferenceDataNotifications>();
        return services;
    }
}

/// <summary><c>load-reference-data</c> NOTIFYs <see cref="ReferenceDataCache.Channel"/> when it commits: the cache is emptied.</summary>
public sealed class ReferenceDataNotifications(ReferenceDataCache cache) : INotificationHandler
{
    public string Channel => ReferenceDataCache.Channel;
    public void Notified(string payload) => cache.Clear();
    public void MissedSome() => cache.Clear();
}
