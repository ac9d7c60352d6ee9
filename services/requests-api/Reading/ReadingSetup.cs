namespace ProductionTests.RequestsApi.Reading;

public static class ReadingSetup
{
    /// <summary>The list's shared version reads and its answers kept by version (section <c>List</c>).</summary>
    public static IServiceCollection AddReading(this IServiceCollection services)
    {
        services.AddOptions<ListOptions>().BindConfiguration("List").Validate(o => o.CacheMegabytes >= 0, "List:CacheMegabytes must be 0 or more.").ValidateOnStart();
        services.AddSingleton<ListVersionReader>();
        services.AddSingleton<ListAnswerCache>();
        return services;
    }
}
