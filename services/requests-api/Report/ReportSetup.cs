using Microsoft.Extensions.Options;

namespace ProductionTests.RequestsApi.Report;

public static class ReportSetup
{
    /// <summary>The client that reads a challenge's report from tpas-backend (configuration section <c>Tpas</c>).</summary>
    public static IServiceCollection AddReport(this IServiceCollection services)
    {
        services.AddOptions<TpasReportOptions>().BindConfiguration("Tpas");
        services.AddHttpClient<TpasReportClient>((sp, http) =>
        {
            var tpas = sp.GetRequiredService<IOptions<TpasReportOptions>>().Value;
            http.BaseAddress = tpas.BaseUrl;
            http.Timeout = TimeSpan.FromSeconds(tpas.TimeoutSeconds);
        });
        return services;
    }
}
